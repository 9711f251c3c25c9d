import { expect } from 'vitest';
import type { TestApp } from './test-app';

export const REPORTS_TOKEN = 'reports-operations-token-0123456789abcdef';

/** GET an admin report with the operations token; JSON parsed unless it is CSV. */
export async function getReport(t: TestApp, path: string, headers: Record<string, string> = { authorization: `Bearer ${REPORTS_TOKEN}` }) {
  const response = await fetch(`${t.url}/admin/api/reports/${path}`, { headers });
  const text = await response.text();
  const isJson = (response.headers.get('content-type') ?? '').includes('json');
  return { status: response.status, headers: response.headers, body: isJson ? JSON.parse(text) : text };
}

/** The funnel's steps as `{ step: [entered, converted, inProgress, lost] }`, the shape the assertions read best in. */
export function stepCounts(steps: Array<{ step: string; entered: number; converted: number; inProgress: number; lost: number }>) {
  for (const s of steps) expect(s.entered).toBe(s.converted + s.inProgress + s.lost);
  return Object.fromEntries(steps.map((s) => [s.step, [s.entered, s.converted, s.inProgress, s.lost]]));
}
