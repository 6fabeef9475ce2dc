import { execFileSync } from 'node:child_process';
import { Client } from 'pg';
import { TEST_POSTGRES_URL, sql, uniqueName } from '../../../../../tests/support/postgres';
import { LEDGER_PROJECTIONS, TableProjection } from '../../projection';
import { LEDGER_TABLES, partyPositionsTable } from '../../tables/ledger.tables';
import { snakeCase } from '../../tables/table-spec';
import { countingProjection } from '../../testing/counting-projection';
import { readModelsOf } from '../../testing/read-model-specification';
import { contractScenario } from '../../../../../tests/contract/read-model-store.contract';
import { INCIDENT_ID, PARTY, article, claimMade, envelopesOf, incidentEntry, incidentReported } from '../../testing/seed-article.fixture';
import { partyVersionsView } from '../../views/party-versions.view';
import { partyRecordView } from '../../views/party-record.view';
import { BI_VIEWS } from './postgres-bi.views';
import { READ_MODEL_MIGRATIONS } from './postgres-read-model.migrations';
import { PostgresReadModelStore, ReadModelsRewoundError } from './postgres-read-model.store';
import { PG_NUL_REPLACEMENT } from './postgres-tables';

const CHECKPOINT = 'pg-read-models';

describe('PostgresReadModelStore (PostgreSQL)', () => {
  let schema: string;
  let role: string;
  const stores: PostgresReadModelStore[] = [];
  const open = async (projections: readonly TableProjection[] = LEDGER_PROJECTIONS) => {
    const store = await PostgresReadModelStore.open({ connectionString: TEST_POSTGRES_URL, schema, readerRole: role, projections });
    stores.push(store);
    return store;
  };

  beforeEach(() => {
    schema = uniqueName('rm_test');
    role = `${schema}_bi`;
  });

  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await sql(`DROP OWNED BY ${role}`).catch(() => undefined);
    await sql(`DROP ROLE IF EXISTS ${role}`);
  });

  it('keeps the read models in a schema of their own: its bookkeeping, every table of the specs with its columns and indexes, the BI views', async () => {
    await open();
    const tables = await sql<{ table_name: string; table_type: string }>(
      'SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [schema],
    );
    expect(tables.filter((t) => t.table_type === 'BASE TABLE').map((t) => t.table_name)).toEqual(
      ['migrations', 'read_model_checkpoints', 'read_model_tables', ...LEDGER_TABLES.map((t) => t.name)].sort(),
    );
    expect(tables.filter((t) => t.table_type === 'VIEW').map((t) => t.table_name)).toEqual(BI_VIEWS.map((v) => v.name).sort());
    for (const table of LEDGER_TABLES) {
      const columns = await sql<{ column_name: string }>(
        'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
        [schema, table.name],
      );
      expect(columns.map((c) => c.column_name)).toEqual(Object.keys(table.columns).map(snakeCase));
      const indexes = await sql<{ indexname: string }>('SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = $2', [schema, table.name]);
      for (const index of table.indexes ?? []) expect(indexes.map((i) => i.indexname)).toContain(index.name);
    }
    // A second replica opening the same schema applies nothing and changes nothing.
    await open();
    expect((await sql<{ name: string }>(`SELECT name FROM ${schema}.migrations ORDER BY name`)).map((m) => m.name)).toEqual(READ_MODEL_MIGRATIONS.map((m) => m.name));
  });

  it('lets the reader role read the tables and views, and write nothing', async () => {
    const store = await open();
    const envelopes = contractScenario();
    await store.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, envelopes, envelopes[envelopes.length - 1].position);
    const client = new Client({ connectionString: TEST_POSTGRES_URL });
    await client.connect();
    try {
      await client.query(`SET ROLE ${role}`);
      expect((await client.query(`SELECT count(*)::int AS n FROM ${schema}.claims`)).rows[0].n).toBe(7);
      expect((await client.query(`SELECT count(*)::int AS n FROM ${schema}.incident_overview WHERE contested`)).rows[0].n).toBe(1);
      await expect(client.query(`DELETE FROM ${schema}.claims`)).rejects.toMatchObject({ code: '42501' });
      await expect(client.query(`UPDATE ${schema}.read_model_checkpoints SET position = 0`)).rejects.toMatchObject({ code: '42501' });
      await expect(client.query(`CREATE TABLE ${schema}.mine (x int)`)).rejects.toMatchObject({ code: '42501' });
    } finally {
      await client.end();
    }
  });

  it('answers "who blames whom in incident X" to a plain psql query on the who_blames_whom view, as the reader role', async () => {
    const store = await open();
    const envelopes = contractScenario();
    await store.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, envelopes, envelopes[envelopes.length - 1].position);
    const out = execFileSync(
      'psql',
      [
        TEST_POSTGRES_URL,
        '--no-psqlrc',
        '--tuples-only',
        '--no-align',
        '--field-separator= blames ',
        '-c',
        `SET ROLE ${role}`,
        '-c',
        `SELECT blaming_party_id, blamed_party_id FROM ${schema}.who_blames_whom WHERE incident_id = '${INCIDENT_ID}' ORDER BY 1, 2`,
      ],
      { encoding: 'utf8' },
    );
    const expected = readModelsOf(envelopes)
      .tables.find(partyPositionsTable, { incidentId: INCIDENT_ID, field: 'responsibleParties' })
      .flatMap((p) => (p.value as string[]).map((blamed) => `${p.partyId} blames ${blamed}`))
      .sort();
    expect(out.trim().split('\n').filter((line) => line.includes(' blames '))).toEqual(expected);
    expect(expected).toContain(`${PARTY.azDefence} blames ${PARTY.karabakhArmy}`);
  });

  it('recreates a table whose spec changed and drops every checkpoint, so that the runner rebuilds', async () => {
    const before = countingProjection('shape');
    let store = await open([...LEDGER_PROJECTIONS, before]);
    const envelopes = contractScenario();
    await store.applyBatch(CHECKPOINT, [...LEDGER_PROJECTIONS, before], envelopes, envelopes[envelopes.length - 1].position);
    await store.close();
    const after = countingProjection('shape');
    after.table.columns = { ...after.table.columns, weight: { type: 'integer', nullable: true, description: 'a column added' } } as typeof after.table.columns;
    store = await open([...LEDGER_PROJECTIONS, after]);
    expect(await store.readCheckpoint(CHECKPOINT)).toBeUndefined();
    expect((await sql(`SELECT * FROM ${schema}.test_shape`)).length).toBe(0);
    const columns = await sql<{ column_name: string }>('SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2', [schema, 'test_shape']);
    expect(columns.map((c) => c.column_name)).toContain('weight');
    // The other tables kept their rows (a rebuild will replace them) and the views are back.
    expect((await sql(`SELECT 1 FROM ${schema}.who_blames_whom`)).length).toBeGreaterThan(0);
  });

  it('stays right when two writers take turns (another replica, a process left running): neither trusts rows the other changed', async () => {
    const [a, b] = [await open(), await open()];
    await a.reset(CHECKPOINT, LEDGER_PROJECTIONS);
    const envelopes = contractScenario();
    for (let i = 0; i < envelopes.length; i += 2) {
      const batch = envelopes.slice(i, i + 2);
      await ((i / 2) % 2 === 0 ? a : b).applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, batch, batch[batch.length - 1].position);
    }
    // Both deliver the whole log; whichever is behind applies nothing twice.
    await a.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, envelopes, envelopes[envelopes.length - 1].position);
    await b.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, envelopes, envelopes[envelopes.length - 1].position);
    expect(await b.dump()).toEqual(readModelsOf(envelopes).dump());
  });

  it('refuses a batch that follows a checkpoint the store no longer has (another writer reset it), writing nothing', async () => {
    const [live, rebuilding] = [await open(), await open()];
    const envelopes = contractScenario();
    await live.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, envelopes.slice(0, 10), 10n, 0n);
    await rebuilding.beginRebuild(CHECKPOINT, LEDGER_PROJECTIONS);
    await rebuilding.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, envelopes.slice(0, 5), 5n, 0n);
    await expect(live.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, envelopes.slice(10), 20n, 10n)).rejects.toBeInstanceOf(ReadModelsRewoundError);
    expect((await live.readCheckpoint(CHECKPOINT))?.position).toBe(5n);
    await rebuilding.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, envelopes.slice(5), envelopes[envelopes.length - 1].position, 5n);
    await rebuilding.endRebuild();
    expect(await live.dump()).toEqual(readModelsOf(envelopes).dump());
  });

  it('writes a batch in a bounded number of statements whatever its size; a rebuild reads no rows; a writer fetches an incident once', async () => {
    const store = await open();
    const envelopes = contractScenario();
    await store.beginRebuild(CHECKPOINT, LEDGER_PROJECTIONS);
    await store.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, envelopes, envelopes[envelopes.length - 1].position);
    await store.endRebuild();
    // Emptied tables: every group is known empty, so the fold runs once and reads nothing; one upsert per table written.
    expect(store.statistics).toMatchObject({ rounds: 1, groupQueries: 0 });
    expect(store.statistics.writeStatements).toBeLessThanOrEqual(LEDGER_TABLES.length * 2);
    await store.close();

    // A restarted writer fetches the incident and its parties (a round or two), then keeps them.
    const restarted = await open();
    const more = envelopesOf(
      Array.from({ length: 40 }, (_, i) =>
        claimMade(INCIDENT_ID, `claim-more-${i}`, PARTY.minskGroup, { statedAt: { at: '2019-06-07', precision: 'day' }, assertions: { responsibleParties: [PARTY.azDefence] } }),
      ),
      envelopes[envelopes.length - 1].position + 1n,
    );
    await restarted.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, more.slice(0, 1), more[0].position);
    const first = restarted.statistics;
    expect(first.groupQueries).toBeGreaterThan(0);
    expect(first.groupQueries).toBeLessThanOrEqual(LEDGER_TABLES.length * 2);
    const rest = more.slice(1);
    await restarted.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, rest, rest[rest.length - 1].position);
    const second = restarted.statistics;
    expect(second.groupQueries).toBe(first.groupQueries);
    expect(second.rounds).toBe(first.rounds + 1);
    expect(second.writeStatements - first.writeStatements).toBeLessThanOrEqual(LEDGER_TABLES.length * 2);
    expect(await restarted.dump()).toEqual(readModelsOf([...envelopes, ...more]).dump());
  });

  it('answers a party record in as many queries whatever the number of its claims and incidents (a view’s lookups of one round are batched)', async () => {
    const queriesFor = async (incidents: number, claimsEach: number): Promise<{ queries: number; claims: number }> => {
      await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      const store = await open();
      const base = contractScenario();
      const entries = Array.from({ length: incidents }, (_, i) => {
        const incidentId = `7e2f0b44-1d7a-4c55-8b0e-${String(i).padStart(12, '0')}`;
        return [
          incidentReported(incidentId),
          ...Array.from({ length: claimsEach }, (_, c) =>
            claimMade(incidentId, `claim-${i}-${c}`, PARTY.minskGroup, { statedAt: { at: '2019-06-07', precision: 'day' }, assertions: { responsibleParties: [PARTY.azDefence] } }),
          ),
        ];
      }).flat();
      const envelopes = [...base, ...envelopesOf(entries, base[base.length - 1].position + 1n)];
      await store.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, envelopes, envelopes[envelopes.length - 1].position);
      const spy = jest.spyOn(Client.prototype, 'query');
      try {
        const record = await store.answer((t) => partyRecordView(t, PARTY.minskGroup));
        return { queries: spy.mock.calls.length, claims: record!.counts.claims };
      } finally {
        spy.mockRestore();
      }
    };
    const small = await queriesFor(2, 2);
    const large = await queriesFor(12, 10);
    expect(large.claims - small.claims).toBe(12 * 10 - 2 * 2);
    // Before, every claim cost a round of its own (a lookup of its words after its row): 120 claims, 120 rounds.
    expect(large.queries).toBe(small.queries);
    // BEGIN, two rounds (the party with its incidents, then what each incident holds of it), the end.
    expect(large.queries).toBe(4);
  });

  it('answers a page of an incident’s versions in as many queries whatever the number of its claims and denials', async () => {
    const incidentId = '7e2f0b44-1d7a-4c55-8b0e-00000000aaaa';
    const queriesFor = async (claims: number): Promise<{ queries: number; shown: number }> => {
      await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      const store = await open();
      const base = contractScenario();
      const speakers = [PARTY.azDefence, PARTY.karabakhArmy, PARTY.minskGroup];
      const entries = [
        incidentReported(incidentId),
        ...Array.from({ length: claims }, (_, c) => [
          claimMade(incidentId, `claim-${c}`, speakers[c % 3], {
            statedAt: { at: '2019-06-05', precision: 'day' },
            assertions: { responsibleParties: [speakers[(c + 1) % 3]], casualties: [{ side: 'armenia', killed: { best: c % 4 } }] },
          }),
          incidentEntry({
            type: 'ClaimDenied',
            data: {
              incidentId,
              denialId: `denial-${c}`,
              claimId: `claim-${c}`,
              claimPartyId: speakers[c % 3],
              partyId: speakers[(c + 1) % 3],
              statement: { text: 'Not so.', verbatim: false },
              deniedAssertions: [],
              statedAt: { at: '2019-06-06', precision: 'day' },
              source: article,
              claimVersion: 1,
            },
          }),
        ]).flat(),
      ];
      const envelopes = [...base, ...envelopesOf(entries, base[base.length - 1].position + 1n)];
      await store.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, envelopes, envelopes[envelopes.length - 1].position);
      const spy = jest.spyOn(Client.prototype, 'query');
      try {
        const page = await store.answer((t) => partyVersionsView(t, incidentId, { limit: 20 }));
        const shown = page!.parties.reduce((sum, p) => sum + p.claims.length + p.denialsMade.length, 0);
        return { queries: spy.mock.calls.length, shown };
      } finally {
        spy.mockRestore();
      }
    };
    const small = await queriesFor(4);
    const large = await queriesFor(60);
    expect(small.shown).toBe(8);
    expect(large.shown).toBe(20);
    // Before, every entry of the page cost a query of its own (where it was recorded: a find with a limit of one).
    expect(large.queries).toBe(small.queries);
    // BEGIN, one query per round of the view's lookups (each round's statements sent together), the end: 14 before.
    // Two rounds: everything the incident's id names, then what those rows name (each entry's versions, the names).
    expect(large.queries).toBe(4);
  });

  it('projects text holding U+0000 (events recorded before the API refused it) instead of failing the batch: text columns hold U+FFFD, JSON keeps the escape', async () => {
    const store = await open();
    const envelopes = structuredClone(contractScenario());
    const data = (type: string) => envelopes.find((e) => e.event.type === type)!.event.data as unknown as Record<string, Record<string, string> & string>;
    (data('PartyRegistered') as unknown as Record<string, string>).name += '\u0000';
    (data('IncidentReported') as unknown as Record<string, string>).title += '\u0000';
    const claim = data('ClaimMade');
    claim.statement.text += '\u0000';
    claim.source.title = `\u0000${claim.source.title}`;
    await store.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, envelopes, envelopes[envelopes.length - 1].position);

    const expected = readModelsOf(envelopes).dump();
    let replaced = 0;
    for (const table of LEDGER_TABLES) {
      for (const row of expected[table.name] as Array<Record<string, unknown>>) {
        for (const [column, spec] of Object.entries(table.columns as Record<string, { type: string }>)) {
          const value = row[column];
          if (spec.type === 'text' && typeof value === 'string' && value.includes('\u0000')) {
            row[column] = value.replace(/\u0000/g, PG_NUL_REPLACEMENT);
            replaced++;
          }
        }
      }
    }
    expect(replaced).toBeGreaterThan(0);
    const dump = await store.dump();
    expect(dump).toEqual(expected);
    expect(JSON.stringify(dump)).toContain('\\u0000');
    expect((await store.readCheckpoint(CHECKPOINT))?.position).toBe(envelopes[envelopes.length - 1].position);
  });

  const indexNames = LEDGER_TABLES.flatMap((t) => (t.indexes ?? []).map((i) => i.name)).sort();
  /** The declared secondary indexes the schema holds now. */
  const present = async () => (await sql<{ indexname: string }>('SELECT indexname FROM pg_indexes WHERE schemaname = $1', [schema])).map((i) => i.indexname).filter((n) => indexNames.includes(n)).sort();

  it('puts back at open the secondary indexes of a rebuild cut short between beginRebuild and endRebuild', async () => {
    const dying = await open();
    await dying.beginRebuild(CHECKPOINT, LEDGER_PROJECTIONS);
    await dying.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, contractScenario().slice(0, 5), 5n);
    expect(await present()).toEqual([]);
    await dying.close();
    await open();
    expect(await present()).toEqual(indexNames);
  });

  it('ends a rebuild while a replica opening the schema puts the dropped indexes back: neither fails, every index is there', async () => {
    /** Until `count` of the stores' connections wait for a lock. */
    const lockWaits = async (count: number, what: string) => {
      const waiting = async () =>
        Number((await sql<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", [`incident-ledger-read-models:${schema}`]))[0].n);
      for (const deadline = Date.now() + 10_000; (await waiting()) < count; ) {
        if (Date.now() > deadline) throw new Error(what);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const rebuilding = await open();
    await rebuilding.beginRebuild(CHECKPOINT, LEDGER_PROJECTIONS);
    await rebuilding.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, contractScenario().slice(0, 5), 5n);
    // Holding the last table stops the opening replica there, its CREATE INDEX of the tables before it not yet committed:
    // the moment a rebuild's end used to build the same indexes beside it and fail on pg_class's unique name.
    const blocker = new Client({ connectionString: TEST_POSTGRES_URL });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`LOCK TABLE ${schema}.parties IN ACCESS EXCLUSIVE MODE`);
      const opening = open();
      opening.catch(() => undefined);
      await lockWaits(1, 'the opening store never reached the locked table');
      const ending = rebuilding.endRebuild();
      ending.catch(() => undefined);
      await lockWaits(2, 'the rebuild never waited for the opening store');
      await blocker.query('COMMIT');
      await expect(opening).resolves.toBeInstanceOf(PostgresReadModelStore);
      await expect(ending).resolves.toBeUndefined();
    } finally {
      await blocker.end();
    }
    expect(await present()).toEqual(indexNames);
  });
});
