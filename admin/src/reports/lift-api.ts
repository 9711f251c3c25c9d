import type { RaRecord } from 'react-admin';
import { postJson } from '../data/http';
import type { HoldoutSettings } from '../data/types';

/** "Promote winner": the variant's templates and offer become the step's own and the test ends (admin, marketer). */
export const promoteVariant = (campaignId: string, stepIndex: number, variant: string) =>
  postJson<RaRecord & { version: number }>(`/campaigns/${encodeURIComponent(campaignId)}/steps/${stepIndex}/promote`, { variant });

/** The store-wide holdout, 0–50 % (admin only). */
export const setGlobalHoldout = (globalHoldoutPercent: number) => postJson<HoldoutSettings>('/experiments/holdout', { globalHoldoutPercent }, 'PUT');

/** Reshuffles who is held out from now on (admin, marketer; audit-logged). */
export const startExperimentPeriod = () => postJson<HoldoutSettings>('/experiments/holdout/new-period');
