import { LEDGER_PROJECTIONS } from './projections';
import { LedgerEnvelope } from './envelope';
import { AnyProjection, ProjectionContext, foldProjection, foldProjectionState, publicDocuments } from './projection';
import {
  AMENDMENT,
  CLAIM,
  DENIAL,
  EDITOR,
  INCIDENT_ID,
  PARTY,
  ScenarioEntry,
  article,
  envelopesOf,
  incidentEntry,
  seedArticleEnvelopes,
  seedArticleScenario,
} from './testing/seed-article.fixture';
import { ClaimHistoryDoc, IncidentTimelineDoc, PartyRecordDoc, PartyVersionsDoc } from './projections';

const deepFreeze = <T>(value: T): T => {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
};

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
  incidentEntry({
    type: 'ClaimRetracted',
    data: {
      incidentId: INCIDENT_ID,
      claimId: CLAIM.amForeign,
      partyId: PARTY.amForeign,
      reason: 'Superseded.',
      statedAt: { at: '2019-06-05', precision: 'day' },
      source: article,
    },
  }),
  incidentEntry(
    {
      type: 'EntryAmended',
      data: {
        incidentId: INCIDENT_ID,
        amendmentId: 'amend-title',
        entry: { kind: 'incident' },
        changes: { title: 'Deadly truce violations on the Karabakh line of contact' },
        reason: 'Title mistyped.',
      },
    },
    EDITOR,
  ),
  incidentEntry(
    {
      type: 'EntryAmended',
      data: {
        incidentId: INCIDENT_ID,
        amendmentId: 'amend-denial',
        entry: { kind: 'denial', denialId: DENIAL.karabakhArmy },
        changes: { deniedAssertions: ['ceasefire'], statedAt: { at: '2019-06-02', precision: 'day' } },
        reason: 'Only the ceasefire was denied.',
      },
    },
    EDITOR,
  ),
  incidentEntry(
    {
      type: 'EntryAmended',
      data: {
        incidentId: INCIDENT_ID,
        amendmentId: 'amend-retraction',
        entry: { kind: 'retraction', claimId: CLAIM.amForeign },
        changes: { reason: 'Superseded by a later statement.' },
        reason: 'Reason abridged.',
      },
    },
    EDITOR,
  ),
  incidentEntry(
    {
      type: 'EntryAmended',
      data: {
        incidentId: INCIDENT_ID,
        amendmentId: 'amend-correction',
        entry: { kind: 'claim', claimId: CLAIM.azDefence, version: 2 },
        changes: { statedAt: { at: '2019-06-01', precision: 'day' }, removedAssertions: ['casualties'] },
        reason: 'Wrong date; the figure was not restated.',
      },
    },
    EDITOR,
  ),
  incidentEntry({
    type: 'IncidentReported',
    data: {
      incidentId: SECOND_INCIDENT,
      title: 'Shelling near Tovuz',
      summary: 'Reported shelling of border villages.',
      occurred: { from: '2019-06-04', to: '2019-06-04', precision: 'day' },
      location: { name: 'Tovuz district', precision: 'district' },
      category: 'shelling',
    },
  }),
  incidentEntry({
    type: 'ClaimMade',
    data: {
      incidentId: SECOND_INCIDENT,
      claimId: 'claim-tovuz',
      partyId: PARTY.azDefence,
      statement: { text: 'Villages came under fire.', verbatim: false },
      statedAt: { at: '2019-06-04', precision: 'day' },
      source: article,
      answers: [],
      assertions: { responsibleParties: [PARTY.karabakhArmy], location: { name: 'Tovuz', precision: 'district' } },
    },
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
    },
  }),
  incidentEntry({
    type: 'ClaimRetracted',
    data: {
      incidentId: SECOND_INCIDENT,
      claimId: 'claim-tovuz',
      partyId: PARTY.azDefence,
      reason: 'Misattributed.',
      statedAt: { at: '2019-06-06', precision: 'day' },
      source: article,
    },
  }),
  incidentEntry(
    {
      type: 'EntryAmended',
      data: {
        incidentId: INCIDENT_ID,
        amendmentId: `${AMENDMENT.karabakhFigure}-again`,
        entry: { kind: 'claim', claimId: CLAIM.karabakhArmy, version: 1 },
        changes: { statement: { text: 'Truce violations rose sharply overnight.', verbatim: false } },
        reason: 'Paraphrase tightened.',
      },
    },
    EDITOR,
  ),
];

const richEnvelopes = (): LedgerEnvelope[] => envelopesOf(richScenario());

/** What the store keeps: each document as JSON text. */
type StoredState = Map<string, string>;

const textOf = (docs: ReadonlyMap<string, unknown>): StoredState => new Map([...docs].map(([key, doc]) => [key, JSON.stringify(doc)]));

/**
 * What SqliteReadModelStore.applyBatch does, in memory: each batch parses the
 * documents it reads from their stored text once, evolves them in place and
 * writes back the text of those it evolved.
 */
const applyBatch = (projection: AnyProjection, stored: StoredState, batch: LedgerEnvelope[]): void => {
  const docs = new Map<string, unknown>();
  const written = new Set<string>();
  const ctx: ProjectionContext<unknown> = {
    get: (key) => {
      if (!docs.has(key)) docs.set(key, stored.has(key) ? JSON.parse(stored.get(key)!) : undefined);
      return docs.get(key);
    },
  };
  for (const e of batch) {
    for (const key of projection.keysOf(e, ctx)) {
      docs.set(key, projection.evolve(ctx.get(key), e, key, ctx));
      written.add(key);
    }
  }
  for (const key of written) {
    const doc = docs.get(key);
    if (doc === undefined) stored.delete(key);
    else stored.set(key, JSON.stringify(doc));
  }
};

const parsed = (stored: StoredState): Map<string, unknown> => new Map([...stored].map(([key, text]) => [key, JSON.parse(text)]));

describe('projections', () => {
  const each = it.each(LEDGER_PROJECTIONS.map((p) => [p.name, p] as [string, AnyProjection]));

  each('%s never changes the events it folds', (_name, projection) => {
    const frozen = deepFreeze(richEnvelopes());
    expect(() => foldProjectionState(projection, frozen)).not.toThrow();
    expect(foldProjectionState(projection, frozen)).toEqual(foldProjectionState(projection, richEnvelopes()));
  });

  each('%s folds the same envelopes twice from the same stored state into equal results, leaving the stored copy as it was', (_name, projection) => {
    const envelopes = richEnvelopes();
    for (const cut of [0, 5, 10, 15, envelopes.length - 3]) {
      const stored = textOf(foldProjectionState(projection, envelopes.slice(0, cut)));
      const before = new Map(stored);
      const initial = parsed(stored);
      const rest = envelopes.slice(cut);
      const first = foldProjectionState(projection, rest, initial);
      const second = foldProjectionState(projection, rest, initial);
      expect(textOf(second)).toEqual(textOf(first));
      expect(textOf(initial)).toEqual(before);
      expect(stored).toEqual(before);
      // And the same as folding the whole log in one go.
      expect(textOf(first)).toEqual(textOf(foldProjectionState(projection, envelopes)));
    }
  });

  each('%s applied in batches of every size, with a JSON round trip between batches, equals a single fold', (_name, projection) => {
    const envelopes = richEnvelopes();
    const whole = foldProjectionState(projection, envelopes);
    for (let size = 1; size <= envelopes.length; size++) {
      const stored: StoredState = new Map();
      for (let i = 0; i < envelopes.length; i += size) applyBatch(projection, stored, envelopes.slice(i, i + size));
      // Same keys in the same order of creation is not required of a store; same content is.
      expect(new Map([...stored].sort(([a], [b]) => (a < b ? -1 : 1)))).toEqual(new Map([...textOf(whole)].sort(([a], [b]) => (a < b ? -1 : 1))));
      expect(publicDocuments(projection, parsed(stored))).toEqual(publicDocuments(projection, whole));
    }
  });

  each('%s produces documents that survive a JSON round trip unchanged', (_name, projection) => {
    const docs = foldProjectionState(projection, richEnvelopes());
    for (const doc of docs.values()) expect(JSON.parse(JSON.stringify(doc))).toStrictEqual(doc);
    for (const doc of foldProjection(projection, richEnvelopes()).values()) expect(JSON.parse(JSON.stringify(doc))).toStrictEqual(doc);
  });

  it('have unique kebab-case names', () => {
    const names = LEDGER_PROJECTIONS.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });

  it('fold the same log prefix into the past state, for time travel', () => {
    const all = seedArticleEnvelopes();
    const beforeCorrection = all.filter((e) => e.position < 11n);
    const history = foldProjection(LEDGER_PROJECTIONS.find((p) => p.name === 'claim-history')!, beforeCorrection);
    expect((history.get(CLAIM.azDefence) as ClaimHistoryDoc).currentVersion).toBe(1);
  });
});

describe('read models link the same entries across projections', () => {
  const envelopes = envelopesOf([
    ...seedArticleScenario(),
    incidentEntry({
      type: 'ClaimRetracted',
      data: {
        incidentId: INCIDENT_ID,
        claimId: CLAIM.azDefence,
        partyId: PARTY.azDefence,
        reason: 'Withdrawn.',
        statedAt: { at: '2019-06-04', precision: 'day' },
        source: article,
      },
    }),
  ]);
  const byName = (name: string) => foldProjection(LEDGER_PROJECTIONS.find((p) => p.name === name)!, envelopes);

  it('links the Karabakh army’s denial to the claim it denies, and the claim to its claimant, everywhere', () => {
    const denier = byName('party-record').get(PARTY.karabakhArmy) as PartyRecordDoc;
    const claimant = byName('party-record').get(PARTY.azDefence) as PartyRecordDoc;
    const history = byName('claim-history').get(CLAIM.azDefence) as ClaimHistoryDoc;
    const versions = byName('party-versions').get(INCIDENT_ID) as PartyVersionsDoc;
    const timeline = byName('incident-timeline').get(INCIDENT_ID) as IncidentTimelineDoc;

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
  });
});
