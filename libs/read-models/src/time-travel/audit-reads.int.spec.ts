import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@ledger/event-store';
import { PARTY, claimMade, incidentReported, storedEventsOf } from '../testing/seed-article.fixture';
import { AuditReadAnswer, VersionsAsOf, WHOLE_AS_OF_MAX_ENTRIES, runAuditRead } from './audit-reads';
import { IncidentChangesPage } from './incident-changes';

const INCIDENT = '5a1e0000-0000-4000-8000-00000000a001';
const parse = (answer: AuditReadAnswer): VersionsAsOf => {
  if (!answer.found) throw new Error(`not found: ${answer.what}`);
  return JSON.parse(Buffer.from(answer.body).toString('utf8')) as VersionsAsOf;
};
const parseChanges = (answer: AuditReadAnswer): IncidentChangesPage => {
  if (!answer.found) throw new Error(`not found: ${answer.what}`);
  return JSON.parse(Buffer.from(answer.body).toString('utf8')) as IncidentChangesPage;
};
const claimsIn = (doc: VersionsAsOf): number => doc.parties.reduce((n, p) => n + p.claims.length, 0);

describe('an incident\'s versions as of a moment and its changes, past the bound of a whole answer', () => {
  let dir: string;
  let store: SqliteEventStore;
  const now = { clock: 'recorded', at: '2030-01-01T00:00:00.000Z' } as const;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'audit-reads-'));
    store = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
    const entries = [incidentReported(INCIDENT), ...Array.from({ length: WHOLE_AS_OF_MAX_ENTRIES + 1 }, (_, i) => claimMade(INCIDENT, `claim-${i}`, i % 2 ? PARTY.azDefence : PARTY.karabakhArmy))];
    const stored = storedEventsOf(entries);
    for (let i = 0; i < stored.length; i += 500) await store.append(stored[i].streamName, stored.slice(i, i + 500).map((s) => s.event));
  }, 60_000);
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('asked for without a limit: the first page of the bound, with page.next, and the next page has the rest', async () => {
    const first = parse(await runAuditRead(store, { kind: 'versionsAsOf', incidentId: INCIDENT, asOf: now }));
    expect(claimsIn(first)).toBe(WHOLE_AS_OF_MAX_ENTRIES);
    expect(first.page).toMatchObject({ limit: WHOLE_AS_OF_MAX_ENTRIES, after: null, next: expect.any(String) });
    const rest = parse(await runAuditRead(store, { kind: 'versionsAsOf', incidentId: INCIDENT, asOf: now, page: { limit: WHOLE_AS_OF_MAX_ENTRIES, after: first.page!.next! } }));
    expect(claimsIn(rest)).toBe(1);
    expect(rest.page?.next).toBeNull();
    // The parties and their accounts are whole on every page.
    expect(rest.parties.map((p) => p.partyId)).toEqual(first.parties.map((p) => p.partyId));
  }, 60_000);

  it('the changes over it, asked for without a limit: the first page of the bound, with page.next; the next page has the rest', async () => {
    const from = { clock: 'position', position: 0n } as const;
    const read = { kind: 'changes', incidentId: INCIDENT, from, now: now.at } as const;
    const first = parseChanges(await runAuditRead(store, read));
    const added = (doc: IncidentChangesPage): number => doc.parties.reduce((n, p) => n + p.claimsAdded.length, 0);
    expect(added(first)).toBe(WHOLE_AS_OF_MAX_ENTRIES);
    expect(first.page).toMatchObject({ limit: WHOLE_AS_OF_MAX_ENTRIES, after: null, next: expect.any(String) });
    const rest = parseChanges(await runAuditRead(store, { ...read, page: { limit: WHOLE_AS_OF_MAX_ENTRIES, after: first.page.next! } }));
    expect(added(rest)).toBe(1);
    expect(rest.page.next).toBeNull();
    expect(first.eventIds.length + rest.eventIds.length).toBe(WHOLE_AS_OF_MAX_ENTRIES + 2);
    // Within the bound: whole, with no page.
    const early = parseChanges(await runAuditRead(store, { ...read, to: { clock: 'position', position: 11n } }));
    expect(added(early)).toBe(10);
    expect(early).not.toHaveProperty('page');
  }, 60_000);

  it('within the bound (as of a moment that holds fewer claims): whole, with no page', async () => {
    const early = parse(await runAuditRead(store, { kind: 'versionsAsOf', incidentId: INCIDENT, asOf: { clock: 'position', position: 11n } }));
    expect(claimsIn(early)).toBe(10);
    expect(early).not.toHaveProperty('page');
  }, 60_000);
});
