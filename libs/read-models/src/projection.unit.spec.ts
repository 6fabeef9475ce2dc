import { LedgerEnvelope } from './envelope';
import { LEDGER_PROJECTIONS, ledgerProjection } from './projection';
import { unhandledEvent } from './projection/ledger.projection';
import { SqliteReadModelStore } from './storage/sqlite-read-model.store';
import { LEDGER_TABLES } from './tables/ledger.tables';
import { AnyTable, ColumnSpec, FindOptions, KeyOf, TableAccess, TableSpec } from './tables/table-spec';
import { AMENDMENT, CLAIM, DENIAL, INCIDENT_ID, PARTY, ScenarioEntry, amendment, article, claimMade, envelopesOf, grading, incidentEntry, incidentReported, retraction, seedArticleEnvelopes, seedArticleScenario } from './testing/seed-article.fixture';
import { readModelsOf } from './testing/read-model-specification';

const deepFreeze = <T>(value: T): T => {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
};

const THIRD_INCIDENT = '33333333-3333-4333-8333-333333333333';
const SECOND_INCIDENT = '0c5d7a2e-8f3b-4b1a-9e6d-2019060400b2';

/** The seed article and then every kind of entry again: retraction, amendments of each kind of entry, a second incident of the same parties. */
const richScenario = (): ScenarioEntry[] => [
  ...seedArticleScenario(),
  incidentEntry({
    type: 'ClaimCorrected',
    data: {
      incidentId: INCIDENT_ID,
      claimId: CLAIM.karabakhArmy,
      partyId: PARTY.karabakhArmy,
      version: 2,
      assertions: { casualties: [{ side: PARTY.karabakhArmy, killed: { best: 2 } }] },
      reason: 'A second soldier died of his wounds.',
      statedAt: { at: '2019-06-02', precision: 'day' },
      source: article,
    },
  }),
  retraction(CLAIM.amForeign, PARTY.amForeign, 'Superseded.', '2019-06-05'),
  amendment('amend-title', { kind: 'incident' }, { title: 'Deadly truce violations on the Karabakh line of contact' }, 'Title mistyped.'),
  amendment(
    'amend-denial',
    { kind: 'denial', denialId: DENIAL.karabakhArmy },
    { deniedAssertions: ['ceasefire'], statedAt: { at: '2019-06-02', precision: 'day' } },
    'Only the ceasefire was denied.',
  ),
  amendment('amend-retraction', { kind: 'retraction', claimId: CLAIM.amForeign }, { reason: 'Superseded by a later statement.' }, 'Reason abridged.'),
  amendment(
    'amend-correction',
    { kind: 'claim', claimId: CLAIM.azDefence, version: 2 },
    { statedAt: { at: '2019-06-01', precision: 'day' }, removedAssertions: ['casualties'] },
    'Wrong date; the figure was not restated.',
  ),
  // A restatement replacing the Azerbaijani military's claim, then withdrawn: the claim it superseded stands again.
  claimMade(INCIDENT_ID, 'claim-az-defence-restated', PARTY.azDefence, {
    statedAt: { at: '2019-06-06', precision: 'day' },
    assertions: { responsibleParties: [PARTY.amForeign], casualties: [{ side: PARTY.azDefence, killed: { best: 2 } }] },
    supersedes: [CLAIM.azDefence],
  }),
  retraction('claim-az-defence-restated', PARTY.azDefence, 'Issued in error.', '2019-06-07'),
  incidentReported(SECOND_INCIDENT),
  claimMade(SECOND_INCIDENT, 'claim-tovuz', PARTY.azDefence, {
    assertions: { responsibleParties: [PARTY.karabakhArmy], location: { name: 'Tovuz', precision: 'district' } },
  }),
  incidentEntry({
    type: 'ClaimDenied',
    data: {
      incidentId: SECOND_INCIDENT,
      denialId: 'denial-tovuz',
      claimId: 'claim-tovuz',
      claimPartyId: PARTY.azDefence,
      partyId: PARTY.karabakhArmy,
      statement: { text: 'No fire was opened.', verbatim: false },
      deniedAssertions: [],
      statedAt: { at: '2019-06-05', precision: 'day' },
      source: article,
      claimVersion: 1,
    },
  }),
  grading('claim-tovuz', 1, 'D4', undefined, SECOND_INCIDENT),
  retraction('claim-tovuz', PARTY.azDefence, 'Misattributed.', '2019-06-06', SECOND_INCIDENT),
  grading(CLAIM.azDefence, 1, 'B2'),
  grading(CLAIM.azDefence, 1, 'C3', 'The figure was revised the next day.'),
  grading(CLAIM.azDefence, 2, 'B1'),
  grading(CLAIM.karabakhArmy, 1, 'E5'),
  amendment(
    `${AMENDMENT.karabakhFigure}-again`,
    { kind: 'claim', claimId: CLAIM.karabakhArmy, version: 1 },
    { statement: { text: 'Truce violations rose sharply overnight.', verbatim: false } },
    'Paraphrase tightened.',
  ),
  // The Tovuz incident turns out to be a third report's event: its entries move there (moved_entries rows).
  incidentReported(THIRD_INCIDENT, { title: 'Shelling of Tovuz villages' }),
  incidentEntry({ type: 'IncidentMergedInto', data: { incidentId: SECOND_INCIDENT, survivorId: THIRD_INCIDENT, mergeId: 'merge-tovuz', reason: 'Same shelling.' } }),
  incidentEntry({
    type: 'IncidentsMerged',
    data: { incidentId: THIRD_INCIDENT, absorbedId: SECOND_INCIDENT, mergeId: 'merge-tovuz', absorbedRevision: '4', reason: 'Same shelling.' },
  }),
];

const richEnvelopes = (): LedgerEnvelope[] => envelopesOf(richScenario());

/** Counts the rows an event reads and writes, passing everything through to the real rows. */
class CountingTables implements TableAccess {
  reads = 0;
  writes = 0;
  constructor(private readonly inner: TableAccess) {}
  get<R extends object>(table: TableSpec<R>, key: KeyOf<R>): R | undefined {
    this.reads += 1;
    return this.inner.get(table, key);
  }
  put<R extends object>(table: TableSpec<R>, row: R): void {
    this.writes += 1;
    this.inner.put(table, row);
  }
  delete<R extends object>(table: TableSpec<R>, key: KeyOf<R>): void {
    this.writes += 1;
    this.inner.delete(table, key);
  }
  find<R extends object>(table: TableSpec<R>, where: Partial<R>, options?: FindOptions<R>): R[] {
    const rows = this.inner.find(table, where, options);
    this.reads += rows.length + 1;
    return rows;
  }
}

/** Rows read and written by each event of `tail` when it is applied after `given`. */
const rowsTouched = (given: LedgerEnvelope[], tail: LedgerEnvelope[]): Array<{ type: string; reads: number; writes: number }> => {
  const store = readModelsOf(given);
  try {
    return tail.map((e) => {
      const counting = new CountingTables(store.tables);
      ledgerProjection.apply(counting, e);
      ledgerProjection.settle?.(counting);
      return { type: e.event.type, reads: counting.reads, writes: counting.writes };
    });
  } finally {
    store.close();
  }
};


/** N claims on the seed incident by the parties the later entries are about, stated before theirs: an incident and party records that grow with N. */
const moreClaims = (n: number): ScenarioEntry[] =>
  Array.from({ length: n }, (_, i) =>
    claimMade(INCIDENT_ID, `claim-filler-${i}`, [PARTY.azDefence, PARTY.karabakhArmy, PARTY.amForeign, PARTY.azForeign][i % 4], {
      statement: { text: `Statement ${i}.`, verbatim: false },
      statedAt: { at: '2019-05-01', precision: 'day' },
      assertions: { responsibleParties: [PARTY.karabakhArmy], casualties: [{ side: PARTY.azDefence, killed: { best: 1 } }] },
    }),
  );

describe('the ledger projection', () => {
  it('never changes the events it folds', () => {
    const frozen = deepFreeze(richEnvelopes());
    const fromFrozen = readModelsOf(frozen);
    const fromFresh = readModelsOf(richEnvelopes());
    expect(fromFrozen.dump()).toEqual(fromFresh.dump());
    fromFrozen.close();
    fromFresh.close();
  });

  it('gives the same rows whether the log is folded in one batch or in batches of any size', () => {
    const envelopes = richEnvelopes();
    const whole = readModelsOf(envelopes).dump();
    for (let size = 1; size <= envelopes.length; size++) {
      const store = new SqliteReadModelStore({ filename: ':memory:' });
      for (let i = 0; i < envelopes.length; i += size) store.apply(envelopes.slice(i, i + size));
      expect(store.dump()).toEqual(whole);
      store.close();
    }
  });

  it('writes rows with exactly the columns its tables declare, of the declared types', () => {
    const typeOf = (value: unknown, spec: ColumnSpec): boolean => {
      if (value === null) return spec.nullable === true;
      switch (spec.type) {
        case 'text':
          return typeof value === 'string';
        case 'integer':
          return Number.isInteger(value);
        case 'position':
          return typeof value === 'string' && /^\d+$/.test(value);
        case 'boolean':
          return typeof value === 'boolean';
        case 'json':
          return value !== undefined;
      }
    };
    const dump = readModelsOf(richEnvelopes()).dump();
    for (const table of LEDGER_TABLES as readonly AnyTable[]) {
      const rows = dump[table.name] as Array<Record<string, unknown>>;
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        expect(Object.keys(row).sort()).toEqual(Object.keys(table.columns).sort());
        for (const [column, spec] of Object.entries(table.columns as Record<string, ColumnSpec>)) {
          if (!typeOf(row[column], spec)) throw new Error(`${table.name}.${column} holds ${JSON.stringify(row[column])}, declared ${spec.type}`);
        }
      }
    }
  });

  it('touches the same number of rows per event with 10 or 1,000 claims in the incident and in the party’s record', () => {
    const tail = richEnvelopes().slice(seedArticleScenario().length);
    const at = (n: number) => {
      const prefix = envelopesOf([...seedArticleScenario(), ...moreClaims(n)]);
      const last = prefix[prefix.length - 1].position;
      // The same events after a bigger past: positions move on, nothing else changes.
      const shifted = tail.map((e, i) => ({ ...e, position: last + 1n + BigInt(i), revision: e.revision + BigInt(n) }));
      return rowsTouched(prefix, shifted);
    };
    const small = at(10);
    expect(small.map((r) => r.type)).toEqual(tail.map((e) => e.event.type));
    expect(at(1000)).toEqual(small);
  });

  it('has a rule for every event type: a type it does not know stops it rather than being skipped', () => {
    expect(() => unhandledEvent({ type: 'ClaimWhispered' } as never)).toThrow('No rule for read models: event "ClaimWhispered"');
  });

  it('is the only read model the runner hosts by default, named in kebab-case', () => {
    expect(LEDGER_PROJECTIONS).toEqual([ledgerProjection]);
    expect(ledgerProjection.name).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });

  it('folds a prefix of the log into the past, for time travel', () => {
    const all = seedArticleEnvelopes();
    const past = readModelsOf(all.filter((e) => e.position < 11n));
    expect(past.claimHistory(INCIDENT_ID, CLAIM.azDefence)?.currentVersion).toBe(1);
    past.close();
  });
});

describe('read models link the same entries across views', () => {
  const envelopes = envelopesOf([
    ...seedArticleScenario(),
    retraction(CLAIM.azDefence, PARTY.azDefence, 'Withdrawn.', '2019-06-04'),
  ]);

  it('links the Karabakh army’s denial to the claim it denies, and the claim to its claimant, everywhere', () => {
    const rm = readModelsOf(envelopes);
    const denier = rm.partyRecord(PARTY.karabakhArmy)!;
    const claimant = rm.partyRecord(PARTY.azDefence)!;
    const history = rm.claimHistory(INCIDENT_ID, CLAIM.azDefence)!;
    const versions = rm.partyVersions(INCIDENT_ID)!;
    const timeline = rm.incidentTimeline(INCIDENT_ID)!;

    const made = denier.incidents[0].denialsMade[0];
    expect([made.claimId, made.claimPartyId]).toEqual([CLAIM.azDefence, PARTY.azDefence]);
    expect(claimant.incidents[0].denialsReceived[0]).toEqual(made);
    expect(claimant.incidents[0].claims.map((c) => c.claimId)).toContain(made.claimId);

    expect(history.partyId).toBe(made.claimPartyId);
    expect(history.denials.map((d) => [d.denialId, d.partyId, d.eventId])).toEqual([[made.denialId, PARTY.karabakhArmy, made.eventId]]);

    const karabakh = versions.parties.find((p) => p.partyId === PARTY.karabakhArmy)!;
    const denied = versions.parties.find((p) => p.partyId === made.claimPartyId)!.claims.find((c) => c.claimId === made.claimId)!;
    expect(karabakh.denialsMade[0]).toMatchObject({ denialId: made.denialId, claimId: denied.claimId, eventId: made.eventId, active: false });
    expect(denied.denials.map((d) => d.denialId)).toEqual([made.denialId]);

    const entry = timeline.entries.find((t) => t.denialId === made.denialId)!;
    expect([entry.claimId, entry.partyId, entry.eventId]).toEqual([made.claimId, PARTY.karabakhArmy, made.eventId]);

    // The retraction is the same event wherever it appears.
    const retraction = claimant.incidents[0].retractions[0];
    expect(history.retraction?.eventId).toBe(retraction.eventId);
    expect(denied.retraction?.eventId).toBe(retraction.eventId);
    expect(timeline.entries.find((t) => t.kind === 'retraction')?.eventId).toBe(retraction.eventId);
    rm.close();
  });
});
