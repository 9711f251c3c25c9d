import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TestApp } from './support/test-app';

describe('health and metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('health');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reports the database and Redis as up', async () => {
    const response = await fetch(`${t.url}/health`);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.status).toBe('ok');
    expect(body.details.database.status).toBe('up');
    expect(body.details.redis.status).toBe('up');
  });

  it('exposes request, ingestion and queue metrics in Prometheus format', async () => {
    await fetch(`${t.url}/health`);
    const text = await (await fetch(`${t.url}/metrics`)).text();
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/health",status="200"\} \d+/);
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(text).toContain('# TYPE events_ingested_total counter');
    expect(text).toMatch(/queue_jobs\{queue="recovery",state="delayed"\} 0/);
  });
});
