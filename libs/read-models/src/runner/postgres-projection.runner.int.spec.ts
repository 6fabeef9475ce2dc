import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@ledger/event-store';
import { TEST_POSTGRES_URL, sql, uniqueName } from '../../../../tests/support/postgres';
import { toEnvelope } from '../envelope';
import { AnyProjection, LEDGER_PROJECTIONS } from '../projection';
import { PostgresReadModelStore } from '../storage/postgres/postgres-read-model.store';
import { ReadModelDump } from '../storage/sqlite-read-model.store';
import { countingProjection } from '../testing/counting-projection';
import { readModelsOf } from '../testing/read-model-specification';
import { CLAIM, INCIDENT_ID, PARTY, claimMade, retraction, seedArticleScenario } from '../testing/seed-article.fixture';
import { append, until } from '../testing/scenario-log';
import { ProjectionRunner } from './projection.runner';

describe('ProjectionRunner into PostgreSQL (an asynchronous store)', () => {
  let dir: string;
  let schema: string;
  let eventStore: SqliteEventStore;
  let store: PostgresReadModelStore;
  const runners: ProjectionRunner[] = [];
  const deliveries = countingProjection('deliveries');
  const projections: AnyProjection[] = [...LEDGER_PROJECTIONS, deliveries];

  const runner = (options: Partial<ConstructorParameters<typeof ProjectionRunner>[0]> = {}): ProjectionRunner => {
    const r = new ProjectionRunner({ eventStore, store, projections, ...options });
    runners.push(r);
    return r;
  };

  /** The ledger events of the log folded into a throwaway SQLite store: what the PostgreSQL tables must equal. */
  const foldLog = async (): Promise<ReadModelDump> => {
    const envelopes = (await eventStore.readAll({ maxCount: 100_000 })).filter((e) => /^(incident|party)-/.test(e.streamName)).map(toEnvelope);
    const dump = readModelsOf(envelopes).dump();
    return dump;
  };

  const withoutDeliveries = (dump: ReadModelDump): ReadModelDump => {
    const copy = { ...dump };
    delete copy[deliveries.table.name];
    return copy;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pg-runner-'));
    schema = uniqueName('rm_runner');
    eventStore = new SqliteEventStore({ filename: join(dir, 'events.sqlite'), pollIntervalMs: 20 });
    store = await PostgresReadModelStore.open({ connectionString: TEST_POSTGRES_URL, schema, readerRole: null, projections });
  });

  afterEach(async () => {
    for (const r of runners.splice(0)) await r.stop().catch(() => undefined);
    await eventStore.close();
    await store.close();
    await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds the read models live, lets a writer read its own write, applies each event once, and a rebuild equals the incremental state', async () => {
    const seeded = await append(eventStore, seedArticleScenario());
    const live = runner({ batchSize: 3 });
    await live.start();
    await live.waitForPosition(seeded);
    await until(() => live.status().caughtUp, 10_000);
    expect(live.status()).toMatchObject({ state: 'live', checkpoint: seeded, lastError: null });

    // A burst while batches are being written: events arriving during a write wait for the next batch, none is lost.
    const more = await append(
      eventStore,
      [
        ...Array.from({ length: 30 }, (_, i) => claimMade(INCIDENT_ID, `claim-burst-${i}`, PARTY.minskGroup, { statedAt: { at: '2019-06-07', precision: 'day' } })),
        retraction(CLAIM.azDefence, PARTY.azDefence, 'Withdrawn pending an inquiry.', '2019-06-08'),
      ],
      'burst',
    );
    await live.waitForPosition(more);
    const incremental = await store.dump();
    expect(withoutDeliveries(incremental)).toEqual(await foldLog());
    const delivered = (await store.answer((t) => deliveries.read(t)))!;
    expect(delivered.positions).toEqual([...new Set(delivered.positions)]);
    expect(delivered.count).toBe(Number(more));

    await live.rebuild();
    expect(live.status()).toMatchObject({ state: 'live', checkpoint: more });
    expect(await store.dump()).toEqual(incremental);
  });

  it('resumes after a restart from the stored checkpoint, and stops at an event a projection cannot apply', async () => {
    const seeded = await append(eventStore, seedArticleScenario());
    const first = runner();
    await first.start();
    await first.waitForPosition(seeded);
    await first.stop();
    const next = await append(eventStore, [retraction(CLAIM.azDefence, PARTY.azDefence, 'Withdrawn.', '2019-06-08')], 'later');
    const fragile = countingProjection('deliveries', { failOn: (e) => e.event.type === 'ClaimRetracted' });
    const restarted = runner({ projections: [...LEDGER_PROJECTIONS, fragile] });
    await restarted.start();
    await until(() => restarted.status().state === 'failed', 10_000);
    expect(restarted.status()).toMatchObject({ checkpoint: seeded, lastError: { name: 'ProjectionError', position: next.toString() } });
    expect((await store.readCheckpoint('ledger-read-models'))?.position).toBe(seeded);
    const resumed = runner();
    await resumed.start();
    await resumed.waitForPosition(next);
    expect(withoutDeliveries(await store.dump())).toEqual(await foldLog());
  });
});
