import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { acceptsGzip, etagMatches, prepareTracker, TRACKER_MAX_GZIP_BYTES, TrackerController, trackerPath } from './tracker.controller';

describe('tracker asset', () => {
  it('fits the real tracker within its gzip budget', () => {
    const source = readFileSync(trackerPath());
    const asset = prepareTracker(source);
    expect(asset.gzipped.length).toBeLessThanOrEqual(TRACKER_MAX_GZIP_BYTES);
    expect(gunzipSync(asset.gzipped).equals(source)).toBe(true);
    expect(asset.etag).not.toBe(asset.gzipEtag);
    expect(() => new TrackerController()).not.toThrow();
  });

  it('refuses a tracker over budget', () => {
    const incompressible = randomBytes(TRACKER_MAX_GZIP_BYTES).toString('base64');
    expect(() => prepareTracker(incompressible)).toThrow(/over its budget of 6144 bytes/);
    expect(() => prepareTracker('x'.repeat(100), 10)).toThrow(/budget of 10 bytes/);
  });

  it('gives each content a different validator', () => {
    expect(prepareTracker('a').etag).not.toBe(prepareTracker('b').etag);
    expect(prepareTracker('a').etag).toBe(prepareTracker('a').etag);
  });
});

describe('acceptsGzip', () => {
  it.each([
    ['gzip, deflate, br', true],
    ['br;q=1.0, gzip;q=0.8', true],
    ['*', true],
    ['x-gzip', true],
    ['gzip;q=0', false],
    ['gzip;q=0, *', false],
    ['*;q=0', false],
    ['identity', false],
    ['', false],
    [undefined, false],
  ])('%s → %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });
});

describe('etagMatches', () => {
  it('compares weakly and understands lists and *', () => {
    expect(etagMatches('"abc"', '"abc"')).toBe(true);
    expect(etagMatches('W/"abc"', '"abc"')).toBe(true);
    expect(etagMatches('"x", "abc"', '"abc"')).toBe(true);
    expect(etagMatches('*', '"abc"')).toBe(true);
    expect(etagMatches('"abc-gz"', '"abc"')).toBe(false);
    expect(etagMatches(undefined, '"abc"')).toBe(false);
  });
});
