import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@ledger/event-store';
import { CLAIM, INCIDENT_ID, PARTY, seedArticleScenario } from '../testing/seed-article.fixture';
import { append } from '../testing/scenario-log';
import { AsOf, AsOfError } from '../time-travel/as-of';
import { AuditRead, AuditReadAnswer } from '../time-travel/audit-reads';
import { AuditReadsBusyError, AuditReadsUnavailableError, AuditThread, InlineAuditReads } from './audit-thread';

const WORKER = join(__dirname, '../../../../tests/support/audit-thread.worker.js');

// The thread compiles the sources it loads on start: seconds on a busy machine.
jest.setTimeout(60_000);

const recorded = (at: string): AsOf => ({ clock: 'recorded', at });
const parse = (answer: AuditReadAnswer): Record<string, unknown> => {
  if (!answer.found) throw new Error(`not found: ${answer.what}`);
  return JSON.parse(Buffer.from(answer.body).toString('utf8')) as Record<string, unknown>;
};

describe('AuditThread: an auditor\'s look at an incident\'s past, folded in a thread that reads the log itself', () => {
  let dir: string;
  let store: SqliteEventStore;
  let thread: AuditThread;
  let inline: InlineAuditReads;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'audit-thread-'));
    const filename = join(dir, 'events.sqlite');
    store = new SqliteEventStore({ filename });
    await append(store, seedArticleScenario());
    thread = new AuditThread({ script: WORKER, eventLog: { kind: 'sqlite', filename } });
    inline = new InlineAuditReads(store);
  });
  afterEach(async () => {
    await thread.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const reads: AuditRead[] = [
    { kind: 'versionsAsOf', incidentId: INCIDENT_ID, asOf: recorded('2019-06-03T09:10:00.000Z') },
    { kind: 'versionsAsOf', incidentId: INCIDENT_ID, asOf: { clock: 'stated', at: '2019-06-02T23:59:59.999Z' }, minGrade: { minReliability: 'C' } },
    { kind: 'versionsAsOf', incidentId: INCIDENT_ID, asOf: { clock: 'position', position: 9n } },
    { kind: 'claimHistoryAsOf', incidentId: INCIDENT_ID, claimId: CLAIM.azDefence, asOf: recorded('2030-01-01T00:00:00.000Z') },
    { kind: 'changes', incidentId: INCIDENT_ID, from: recorded('2019-06-03T09:05:00.000Z'), to: recorded('2019-06-03T09:20:00.000Z'), now: '2030-01-01T00:00:00.000Z' },
    { kind: 'changes', incidentId: INCIDENT_ID, from: { clock: 'position', position: 3n }, now: '2030-01-01T00:00:00.000Z' },
  ];

  it('answers every kind of read as the calling thread does, as JSON text with the parties named from their registrations', async () => {
    for (const read of reads) {
      const [there, here] = [await thread.run(read), await inline.run(read)];
      expect(there).toEqual(here);
      expect(there.found).toBe(true);
    }
    const versions = parse(await thread.run(reads[0])) as { parties: Array<{ partyId: string; partyName: string | null }>; asOf: unknown };
    expect(versions.asOf).toEqual({ clock: 'recorded', at: '2019-06-03T09:10:00.000Z' });
    expect(versions.parties.length).toBeGreaterThan(0);
    // Every party of the article is registered before it speaks: each is named, none is left null.
    for (const party of versions.parties) expect(party.partyName).toEqual(expect.any(String));
    expect(versions.parties.find((p) => p.partyId === PARTY.azDefence)?.partyName).toMatch(/Azerbaijan/);
  });

  it('says what was not in the ledger at the moment, with the moment', async () => {
    expect(await thread.run({ kind: 'versionsAsOf', incidentId: INCIDENT_ID, asOf: recorded('2001-01-01T00:00:00.000Z') })).toEqual({
      found: false,
      what: `Incident ${INCIDENT_ID}`,
      asOf: { clock: 'recorded', at: '2001-01-01T00:00:00.000Z' },
    });
    expect(await thread.run({ kind: 'claimHistoryAsOf', incidentId: INCIDENT_ID, claimId: 'no-such-claim', asOf: recorded('2030-01-01T00:00:00.000Z') })).toMatchObject({
      found: false,
      what: `Claim no-such-claim of incident ${INCIDENT_ID}`,
    });
    expect(await thread.run({ kind: 'versionsAsOf', incidentId: '11111111-1111-4111-8111-111111111111', asOf: recorded('2030-01-01T00:00:00.000Z') })).toMatchObject({
      found: false,
    });
  });

  it('raises a bad moment from the thread as the AsOfError naming its field', async () => {
    const backwards: AuditRead = { kind: 'changes', incidentId: INCIDENT_ID, from: recorded('2019-06-04T00:00:00.000Z'), to: recorded('2019-06-03T00:00:00.000Z'), now: '2030-01-01T00:00:00.000Z' };
    const error = await thread.run(backwards).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AsOfError);
    expect(error).toMatchObject({ field: 'from', fields: ['from'], message: 'from must not be after to' });
  });

  it('refuses more reads than it holds as a 503 (busy), and takes them again once they are answered', async () => {
    const small = new AuditThread({ script: WORKER, eventLog: { kind: 'sqlite', filename: join(dir, 'events.sqlite') }, maxWaiting: 1 });
    try {
      const first = small.run(reads[0]);
      await expect(small.run(reads[1])).rejects.toBeInstanceOf(AuditReadsBusyError);
      expect((await first).found).toBe(true);
      expect((await small.run(reads[1])).found).toBe(true);
    } finally {
      await small.close();
    }
  });

  it('fails what it held when the thread dies, starts again for the next read, and refuses once closed', async () => {
    await thread.run(reads[0]);
    const held = thread.run(reads[4]);
    await (thread as unknown as { thread: { worker: { terminate(): Promise<number> } } }).thread.worker.terminate();
    await expect(held).rejects.toBeInstanceOf(AuditReadsUnavailableError);
    expect((await thread.run(reads[4])).found).toBe(true);
    await thread.close();
    await expect(thread.run(reads[0])).rejects.toBeInstanceOf(AuditReadsUnavailableError);
  });
});
