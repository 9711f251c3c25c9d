import simpleRestProvider from 'ra-data-simple-rest';
import type { DataProvider, GetManyParams, Identifier, RaRecord } from 'react-admin';
import { API, getJson, httpClient, postJson, query } from './http';
import type { ChannelKind, PreviewRequest, PreviewResponse, RuleTestRequest, RuleTestResponse, TemplatePreviewRequest, TemplatePreviewResponse } from './types';

const rest = simpleRestProvider(API, httpClient);

const path = (resource: string, id: Identifier, action = '') => `/${resource}/${encodeURIComponent(String(id))}${action}`;

/**
 * `ra-data-simple-rest` on /admin/api, plus the actions that are not plain CRUD: campaign activation and
 * timeline preview, the discount-rule tester, template previews, customer opt-outs, reports and the model.
 */
export const dataProvider = {
  ...rest,
  // The API's lists filter by named fields only (no `id` list), and references are few per page: fetch each.
  async getMany<R extends RaRecord>(resource: string, params: GetManyParams<R>) {
    const data = await Promise.all(params.ids.map((id) => getJson<R>(path(resource, id))));
    return { data };
  },
  activateCampaign: (id: Identifier) => postJson<RaRecord>(path('campaigns', id, '/activate')),
  pauseCampaign: (id: Identifier) => postJson<RaRecord>(path('campaigns', id, '/pause')),
  previewCampaign: (request: PreviewRequest) => postJson<PreviewResponse>('/campaigns/preview', request),
  testDiscountRules: (request: RuleTestRequest) => postJson<RuleTestResponse>('/discount-rules/test', request),
  previewTemplate: (request: TemplatePreviewRequest) => postJson<TemplatePreviewResponse>('/templates/preview', request),
  optOut: (customerId: Identifier, channel: ChannelKind) => postJson<{ cancelledMessages: number }>(path('customers', customerId, '/opt-out'), { channel }),
  report: <T>(name: string, params: Record<string, string | number | null | undefined> = {}) => getJson<T>(`/reports/${name}${query(params)}`),
  // Flat methods: react-admin's useDataProvider proxies functions only.
  modelVersions: () => getJson<ModelVersion[]>('/ml/versions'),
  trainingRuns: () => getJson<TrainingRun[]>('/ml/training-runs'),
  trainingRun: (id: string) => getJson<TrainingRun>(`/ml/training-runs/${id}`),
  retrain: () => postJson<TrainingRun>('/ml/training-runs'),
  promoteModel: (id: string) => postJson<{ promoted: string }>(`/ml/versions/${id}/promote`),
} satisfies DataProvider & Record<string, unknown>;

export type AppDataProvider = typeof dataProvider;

/** As `ml/training.ts` stores them (NaN is stored as null in JSON). */
export interface ModelMetrics {
  auc: number | null;
  logLoss: number | null;
  calibration: Array<{ bin: number; predicted: number; observed: number; count: number }>;
  offPolicyMarginPer1000: number | null;
  rulesMarginPer1000: number | null;
  currentMarginPer1000?: number | null;
  trainExamples: number;
  holdoutExamples: number;
  trainPositives: number;
}

export interface ModelVersion {
  id: string;
  number: number;
  label: string;
  status: 'candidate' | 'promoted' | 'retired';
  metrics: ModelMetrics;
  verdict: string;
  featureSchemaVersion: number;
  trainingRunId: string | null;
  createdAt: string;
  promotedAt: string | null;
  promotedBy: string | null;
}

export interface TrainingRun {
  id: string;
  trigger: 'nightly' | 'manual' | 'cli';
  requestedBy: string | null;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  progress: number;
  stage: string | null;
  error: string | null;
  result: { promoted?: boolean; verdict?: string; modelVersionId?: string | null; examples?: number; metrics?: ModelMetrics } | null;
  modelVersionId: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}
