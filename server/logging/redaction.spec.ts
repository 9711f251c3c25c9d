import { describe, expect, it } from 'vitest';
import { createLogger } from './logger';
import { redactSecrets, urlWithoutPassword } from './redaction';

describe('log redaction', () => {
  it('takes signed link tokens and write keys out of every line the logger writes, errors and stacks included', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    const token = 'eyJjIjoiY28tMSJ9.c2lnbmF0dXJlLXNlY3JldA';
    logger.info({ url: `/c/${token}/complete?utm=x` }, 'request');
    logger.error({ err: new Error(`render failed for https://shop.example/r/click/${token}`) }, `could not send https://shop.example/c/${token}`);
    logger.warn(`opened /r/open/${token}, /r/s/${token}, /r/unsubscribe/${token}, /r/push-click/${token}; key ?writeKey=wk_live_123&x=1`);
    const text = lines.join('');
    expect(text).not.toContain(token);
    expect(text).not.toContain('wk_live_123');
    expect(JSON.parse(lines[0]).url).toBe('/c/[redacted]/complete?utm=x');
    expect(JSON.parse(lines[1]).msg).toBe('could not send https://shop.example/c/[redacted]');
    expect(JSON.parse(lines[1]).err.stack).toContain('/r/click/[redacted]');
  });

  it('leaves route patterns and other paths alone', () => {
    expect(redactSecrets('/c/:token and /admin/api/checkouts/abc')).toBe('/c/:token and /admin/api/checkouts/abc');
  });

  it('hides a connection URL’s password', () => {
    expect(urlWithoutPassword('redis://:pw@127.0.0.1:6390')).toBe('redis://:***@127.0.0.1:6390');
    expect(urlWithoutPassword('postgres://me:pw@db:5432/app')).toBe('postgres://me:***@db:5432/app');
    expect(urlWithoutPassword('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});
