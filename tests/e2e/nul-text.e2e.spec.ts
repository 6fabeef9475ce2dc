import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JsonPath, jsonPaths, valueAt, withReplaced } from '../support/json-paths';
import { LedgerSession, valid } from '../support/ledger-session';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';
import { expectInvalidFields } from '../support/problem-assertions';

jest.setTimeout(60_000);

/**
 * U+0000 in text is refused at input, naming the field: PostgreSQL text cannot hold it, so an event carrying one would
 * stop the projection into PostgreSQL (the writer now stores it as U+FFFD, for events recorded before this refusal).
 * Every string of every command body, import lines, and dataset rows.
 */
describe('the NUL character (U+0000) at input (e2e)', () => {
  let t: LedgerTestApp;
  let s: LedgerSession;
  let incident: string;
  let azClaim: string;
  let kdaClaim: string;

  beforeAll(async () => {
    t = await startLedger();
    s = new LedgerSession(t);
    const refs = await s.playDemo();
    incident = refs.incident;
    azClaim = refs['az-mod-claim'];
    kdaClaim = refs['kda-claim'];
  }, 30_000);

  afterAll(() => t?.close());

  const fieldOf = (path: JsonPath): string => path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');

  const routes = () => [
    { name: 'register party', url: '/parties', body: { ...valid.party('nul-party'), description: 'A party', aliases: ['Alias'] } },
    { name: 'report incident', url: '/incidents', body: valid.incident() },
    { name: 'make claim', url: `/incidents/${incident}/claims`, body: valid.claim() },
    { name: 'deny claim', url: `/incidents/${incident}/claims/${azClaim}/denials`, body: valid.denial() },
    { name: 'correct claim', url: `/incidents/${incident}/claims/${azClaim}/corrections`, body: valid.correction() },
    { name: 'retract claim', url: `/incidents/${incident}/claims/${azClaim}/retraction`, body: valid.retraction() },
    { name: 'amend entry', url: `/incidents/${incident}/amendments`, body: valid.amendment(kdaClaim) },
  ];

  it.each(['register party', 'report incident', 'make claim', 'deny claim', 'correct claim', 'retract claim', 'amend entry'])(
    '%s: every string member holding U+0000 is a 400 naming that member, and nothing is written',
    async (name) => {
      const route = routes().find((r) => r.name === name)!;
      const paths = jsonPaths(route.body).filter((p) => typeof valueAt(route.body, p) === 'string');
      expect(paths.length).toBeGreaterThan(0);
      for (const path of paths) {
        const body = withReplaced(route.body, path, `${valueAt(route.body, path) as string}\u0000x`);
        const res = await s.unchanged(() => s.post(route.url, body));
        expectInvalidFields(res, [fieldOf(path)]);
        expect(res.json().errors[0].messages).toEqual(['must not contain the NUL character (U+0000)']);
      }
    },
  );

  it('names the claim statement, the party name and the source in one answer', async () => {
    const claim = valid.claim();
    const res = await s.unchanged(() =>
      s.post(`/incidents/${incident}/claims`, { ...claim, statement: { ...claim.statement, text: 'killed\u0000' }, source: { ...claim.source, title: '\u0000' } }),
    );
    expectInvalidFields(res, ['statement.text', 'source.title']);
    expectInvalidFields(await s.unchanged(() => s.post('/parties', { ...valid.party('nul-name'), name: 'Name\u0000' })), ['name']);
  });

  it('a query string or a path parameter holding U+0000 is a 400 too', async () => {
    expect((await s.get('/incidents?q=a%00b')).statusCode).toBe(400);
    expect((await s.get('/parties/a%00b')).statusCode).toBe(400);
  });

  it('POST /imports: a line holding U+0000 is that line’s 400 naming the member; the other lines are imported', async () => {
    const claim = valid.claim();
    const lines = [
      { key: 'nul-inc', action: 'reportIncident', body: valid.incident() },
      { key: 'nul-1', action: 'makeClaim', incident: 'nul-inc', body: { ...claim, statement: { ...claim.statement, text: 'a\u0000b' } } },
      { key: 'nul-2', action: 'makeClaim', incident: 'nul-inc', body: claim },
    ]
      .map((line) => JSON.stringify(line))
      .join('\n');
    const res = await t.app.inject({ method: 'POST', url: '/imports', payload: lines, headers: { authorization: `Bearer ${t.tokens.recorder}`, 'content-type': 'application/x-ndjson' } });
    expect(res.statusCode).toBe(200);
    const summary = res.json();
    expect(summary).toMatchObject({ lines: 3, imported: 2, failed: 1 });
    expect(summary.errors).toEqual([expect.objectContaining({ line: 2, key: 'nul-1', status: 400, code: 'validation-failed', errors: [{ field: 'statement.text', messages: ['must not contain the NUL character (U+0000)'] }] })]);
  });

  it('POST /imports/datasets/acled: a row holding U+0000 is refused naming its column; the other rows are imported', async () => {
    const [header, first, second] = readFileSync(join(__dirname, '../fixtures/datasets/acled-release-1.csv'), 'utf8').split('\n');
    const csv = [header, first.replace('AZE1001', 'NUL1001').replace('Line of contact near Tartar', 'Line of contact\u0000'), second.replace(/^AZE\d+/, 'NUL1002')].join('\n') + '\n';
    const res = await t.app.inject({ method: 'POST', url: '/imports/datasets/acled', payload: csv, headers: { authorization: `Bearer ${t.tokens.recorder}`, 'content-type': 'text/csv' } });
    expect(res.statusCode).toBe(200);
    const summary = res.json();
    expect(summary).toMatchObject({ rows: 2, failed: 1, created: 1 });
    expect(summary.errors).toEqual([expect.objectContaining({ line: 2, eventId: 'NUL1001', column: 'location' })]);
  });
});
