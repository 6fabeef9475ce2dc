import { cacheControlFor, checkpointEtag, contentEtag, ifNoneMatchHits } from './conditional-get';

describe('conditional GET', () => {
  it('matches If-None-Match weakly, in a list, and on *', () => {
    expect(ifNoneMatchHits('"9"', '"9"')).toBe(true);
    expect(ifNoneMatchHits('W/"9"', '"9"')).toBe(true);
    expect(ifNoneMatchHits('"8", W/"p12"', 'W/"p12"')).toBe(true);
    expect(ifNoneMatchHits('*', '"1"')).toBe(true);
    expect(ifNoneMatchHits('"8"', '"9"')).toBe(false);
    expect(ifNoneMatchHits(undefined, '"9"')).toBe(false);
    expect(ifNoneMatchHits('', '"9"')).toBe(false);
  });

  it('tags the same body with the same weak ETag, another body with another', () => {
    expect(contentEtag('{"a":1}')).toBe(contentEtag(Buffer.from('{"a":1}')));
    expect(contentEtag('{"a":1}')).not.toBe(contentEtag('{"a":2}'));
    expect(contentEtag('x')).toMatch(/^W\/"[A-Za-z0-9_-]{27}"$/);
    expect(checkpointEtag(42n)).toBe('W/"p42"');
  });

  it('lets read models be reused after revalidation, and never stores what is per token, audited or operational', () => {
    expect(cacheControlFor('/incidents/:incidentId/versions')).toBe('private, no-cache');
    expect(cacheControlFor('/stats/activity')).toBe('private, no-cache');
    for (const route of ['/admin/read-models', '/metrics', '/health/ready', '/feed/events', '/audit/incidents/:incidentId/versions', '/integrity/verify', '/incidents/:incidentId/claims/:claimId/history']) {
      expect([route, cacheControlFor(route)]).toEqual([route, 'no-store']);
    }
    expect(cacheControlFor('/openapi.json')).toBe('public, no-cache');
  });
});
