import { randomUUID } from 'node:crypto';
import { ACCESS_LOG_STREAM } from '@ledger/integrity';
import { EVENT_STORE, EventStore } from '@ledger/event-store';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';

jest.setTimeout(60_000);

/** Only answered auditor reads enter the hash-chained access log, and each entry stays small whatever the URL. */
describe('access log: answered auditor reads only, each bounded', () => {
  let t: LedgerTestApp;
  const accessEvents = async () => t.app.get<EventStore>(EVENT_STORE).readStream(ACCESS_LOG_STREAM, { fromRevision: 0n, maxCount: 10_000 });
  const asAuditor = (url: string) => t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${t.tokens.auditor}` } });

  beforeAll(async () => {
    t = await startLedger();
  });
  afterAll(() => t?.close());

  it('writes nothing for rejected requests (400, 404)', async () => {
    const before = (await accessEvents()).length;
    const rejected = [
      await asAuditor(`/integrity/access-log?limit=abc&junk=${'x'.repeat(8_000)}`),
      await asAuditor(`/audit/incidents/${randomUUID()}/changes`),
      await asAuditor(`/incidents/${randomUUID()}/claims/${randomUUID()}/history`),
      await asAuditor('/audit/incidents/not-a-uuid/versions?asOf=yesterday'),
    ];
    expect(rejected.map((r) => r.statusCode)).toEqual([400, 400, 404, 400]);
    expect((await accessEvents()).length).toBe(before);
  });

  it('writes one bounded entry per answered read, the URL cut to a fixed length', async () => {
    const before = (await accessEvents()).length;
    // A long URL the route answers: verify takes no parameter and ignores a query (the checkpoint list, which takes
    // limit and offset, refuses an unknown one with a 400, which is not logged).
    const answered = await asAuditor(`/integrity/verify?${'a'.repeat(6_000)}=1`);
    expect(answered.statusCode).toBe(200);
    const events = await accessEvents();
    expect(events.length).toBe(before + 1);
    const entry = events.at(-1)!.data as { what: string; url: string; urlTruncated?: boolean };
    expect(entry).toMatchObject({ what: 'verify', principal: 'test-auditor', urlTruncated: true });
    expect(entry.url.startsWith('/integrity/verify?aaa')).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(entry))).toBeLessThan(2_048);
  });
});
