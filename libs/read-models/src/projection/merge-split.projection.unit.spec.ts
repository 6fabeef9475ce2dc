import { LedgerEvent } from '@ledger/domain';
import { LEDGER_PROJECTIONS } from '../projection';
import { SqliteReadModelStore } from '../storage/sqlite-read-model.store';
import { ReadModelSpecification, readModelsOf } from '../testing/read-model-specification';
import { CLAIM, DENIAL, INCIDENT_ID, PARTY, ScenarioEntry, claimMade, envelopesOf, incidentEntry, incidentReported, retraction, seedArticleScenario } from '../testing/seed-article.fixture';
import { PartyVersionsDoc } from '../views/party-versions.view';
import { partyVersionsAsOf } from '../time-travel/time-travel';

const SURVIVOR = '7d6f0f4e-1a57-4c43-9a0e-2019060300b2';
const LATER = '9a1c2b3d-4e5f-4a6b-8c7d-2019060300c3';
const SPLIT_OFF = 'c0ffee00-0000-4000-8000-2019060300d4';
const SURVIVOR_CLAIM = 'claim-survivor-az';

const entry = (event: LedgerEvent): ScenarioEntry => incidentEntry(event);
const mergedInto = (incidentId: string, survivorId: string, mergeId = 'merge-1'): ScenarioEntry =>
  entry({ type: 'IncidentMergedInto', data: { incidentId, survivorId, mergeId, reason: 'The same night on the line of contact' } });
const merged = (incidentId: string, absorbedId: string, absorbedRevision: string, mergeId = 'merge-1'): ScenarioEntry =>
  entry({ type: 'IncidentsMerged', data: { incidentId, absorbedId, mergeId, absorbedRevision, reason: 'The same night on the line of contact' } });
const split = (claimIds: string[]): ScenarioEntry =>
  entry({ type: 'IncidentSplit', data: { incidentId: INCIDENT_ID, newIncidentId: SPLIT_OFF, splitId: 'split-1', claimIds, reason: 'Another night' } });
const splitFrom = (claimIds: string[]): ScenarioEntry[] => [
  incidentReported(SPLIT_OFF, { title: 'Another night' }),
  entry({ type: 'IncidentSplitFrom', data: { incidentId: SPLIT_OFF, sourceId: INCIDENT_ID, splitId: 'split-1', claimIds, sourceRevision: '10', reason: 'Another night' } }),
];

/** A second report of the same night, where the Azerbaijani ministry had already spoken. */
const survivor = (): ScenarioEntry[] => [
  incidentReported(SURVIVOR, { title: 'Officer killed near Tartar' }),
  claimMade(SURVIVOR, SURVIVOR_CLAIM, PARTY.azDefence, { assertions: { responsibleParties: [PARTY.karabakhArmy] } }),
];

const mergeScenario = (): ScenarioEntry[] => [...seedArticleScenario(), ...survivor(), mergedInto(INCIDENT_ID, SURVIVOR), merged(SURVIVOR, INCIDENT_ID, '10')];

const claimsOf = (doc: PartyVersionsDoc | undefined) => (doc?.parties ?? []).flatMap((p) => p.claims);

/** The rows of the whole log folded at every batch size equal the rows of one batch (a rebuild equals the incremental state). */
const expectBatchSizeFree = (entries: ScenarioEntry[]): void => {
  const envelopes = envelopesOf(entries);
  const memory = new SqliteReadModelStore({ filename: ':memory:' });
  try {
    memory.applyBatch('spec', LEDGER_PROJECTIONS, envelopes, envelopes[envelopes.length - 1].position);
    const once = memory.dump();
    for (let size = 1; size < envelopes.length; size++) {
      memory.reset('spec', LEDGER_PROJECTIONS);
      for (let i = 0; i < envelopes.length; i += size) {
        const batch = envelopes.slice(i, i + size);
        memory.applyBatch('spec', LEDGER_PROJECTIONS, batch, batch[batch.length - 1].position);
      }
      expect(memory.dump()).toEqual(once);
    }
  } finally {
    memory.close();
  }
};

describe('merge (read models)', () => {
  const given = envelopesOf([...seedArticleScenario(), ...survivor()]);
  const when = envelopesOf(mergeScenario()).slice(given.length);

  it('counts the absorbed incident’s claims and denials in the survivor, each marked with the incident it was recorded under', () => {
    ReadModelSpecification.given(given)
      .when(...when)
      .then((rm) => {
        const doc = rm.partyVersions(SURVIVOR);
        const claims = claimsOf(doc);
        expect(claims.map((c) => c.claimId).sort()).toEqual([SURVIVOR_CLAIM, ...Object.values(CLAIM)].sort());
        expect(claims.find((c) => c.claimId === SURVIVOR_CLAIM)?.recordedIn).toBeUndefined();
        expect(claims.find((c) => c.claimId === CLAIM.karabakhArmy)?.recordedIn).toBe(INCIDENT_ID);
        const denials = doc!.parties.flatMap((p) => p.denialsMade);
        expect(denials.map((d) => [d.denialId, d.recordedIn]).sort()).toEqual([
          [DENIAL.azForeign, INCIDENT_ID],
          [DENIAL.karabakhArmy, INCIDENT_ID],
        ]);
        expect(rm.incident(SURVIVOR)?.counts).toMatchObject({ claims: 6, denials: 2 });
        expect(doc!.disagreements.filter((d) => d.kind === 'denial')).toHaveLength(2);
      });
  });

  it('leaves the absorbed incident answering with a pointer to the survivor, its entries counted there', () => {
    ReadModelSpecification.given(given)
      .when(...when)
      .then((rm) => {
        expect(rm.incident(INCIDENT_ID)).toMatchObject({ mergedInto: SURVIVOR, counts: { claims: 0, denials: 0 }, disagreementCount: 0 });
        expect(rm.partyVersions(INCIDENT_ID)).toMatchObject({ mergedInto: SURVIVOR, disagreements: [] });
        expect(claimsOf(rm.partyVersions(INCIDENT_ID))).toEqual([]);
        // The same event is listed once, as its survivor.
        expect(rm.listIncidents().items.map((i) => i.incidentId)).toEqual([SURVIVOR]);
      });
  });

  it('shows the merge in both incidents’ histories', () => {
    ReadModelSpecification.given(given)
      .when(...when)
      .then((rm) => {
        expect(rm.incidentTimeline(INCIDENT_ID)?.entries.at(-1)).toMatchObject({ kind: 'merged-into', detail: { survivorId: SURVIVOR } });
        expect(rm.incidentTimeline(SURVIVOR)?.entries.at(-1)).toMatchObject({ kind: 'merged', detail: { absorbedId: INCIDENT_ID } });
      });
  });

  it('as of before the merge, shows the two incidents apart', () => {
    const before = readModelsOf(envelopesOf([...seedArticleScenario(), ...survivor()]));
    expect(claimsOf(before.partyVersions(SURVIVOR)).map((c) => c.claimId)).toEqual([SURVIVOR_CLAIM]);
    expect(claimsOf(before.partyVersions(INCIDENT_ID))).toHaveLength(5);
    expect(before.incident(INCIDENT_ID)?.mergedInto).toBeUndefined();
  });

  it('answers as-of from the survivor’s stream and the streams it absorbed, in log order', () => {
    const envelopes = envelopesOf(mergeScenario());
    const last = envelopes[envelopes.length - 1].position;
    expect(claimsOf(partyVersionsAsOf(envelopes, SURVIVOR, { clock: 'position', position: last }))).toHaveLength(6);
    expect(claimsOf(partyVersionsAsOf(envelopes, SURVIVOR, { clock: 'position', position: last - 2n }))).toHaveLength(1);
    expect(partyVersionsAsOf(envelopes, INCIDENT_ID, { clock: 'position', position: last })).toMatchObject({ mergedInto: SURVIVOR });
  });

  it('routes a later retraction of an absorbed claim (written where it was recorded) to the survivor', () => {
    const retract = retraction(CLAIM.karabakhArmy, PARTY.karabakhArmy, 'Withdrawn.', '2019-06-06');
    ReadModelSpecification.given(envelopesOf(mergeScenario()))
      .when(...envelopesOf([...mergeScenario(), retract]).slice(mergeScenario().length))
      .then((rm) => {
        expect(claimsOf(rm.partyVersions(SURVIVOR)).find((c) => c.claimId === CLAIM.karabakhArmy)?.retracted).toBe(true);
        expect(rm.incident(SURVIVOR)?.counts).toMatchObject({ retractions: 1, activeClaims: 5 });
        // The absorbed stream moved on: its revision is the ETag of its next command.
        expect(rm.incident(INCIDENT_ID)?.revision).toBe('11');
      });
  });

  it('follows a chain: the survivor merged again takes the absorbed claims along, and later events follow them', () => {
    const chain = [
      ...mergeScenario(),
      incidentReported(LATER, { title: 'Escalation on the line of contact' }),
      mergedInto(SURVIVOR, LATER, 'merge-2'),
      retraction(CLAIM.minskGroup, PARTY.minskGroup, 'Withdrawn.', '2019-06-06'),
    ];
    ReadModelSpecification.given([])
      .when(...envelopesOf(chain))
      .then((rm) => {
        expect(claimsOf(rm.partyVersions(LATER))).toHaveLength(6);
        expect(claimsOf(rm.partyVersions(LATER)).find((c) => c.claimId === CLAIM.minskGroup)).toMatchObject({ retracted: true, recordedIn: INCIDENT_ID });
        expect(rm.incident(INCIDENT_ID)?.mergedInto).toBe(LATER);
      });
  });

  it('folds to the same rows at every batch size', () => {
    expectBatchSizeFree([...mergeScenario(), retraction(CLAIM.karabakhArmy, PARTY.karabakhArmy, 'Withdrawn.', '2019-06-06')]);
  });
});

describe('split (read models)', () => {
  const moved = [CLAIM.karabakhArmy, CLAIM.amForeign];
  const scenario = (): ScenarioEntry[] => [...seedArticleScenario(), split(moved), ...splitFrom(moved)];

  it('moves the chosen claims, with the denials they received, into the new incident', () => {
    ReadModelSpecification.given(envelopesOf(seedArticleScenario()))
      .when(...envelopesOf(scenario()).slice(seedArticleScenario().length))
      .then((rm) => {
        const doc = rm.partyVersions(SPLIT_OFF);
        expect(claimsOf(doc).map((c) => [c.claimId, c.recordedIn]).sort()).toEqual(moved.map((c) => [c, INCIDENT_ID]).sort());
        expect(claimsOf(rm.partyVersions(INCIDENT_ID)).map((c) => c.claimId).sort()).toEqual([CLAIM.azDefence, CLAIM.azForeign, CLAIM.minskGroup].sort());
        expect(rm.incident(SPLIT_OFF)).toMatchObject({ title: 'Another night', counts: { claims: 2 } });
        expect(rm.incident(INCIDENT_ID)?.counts.claims).toBe(3);
        expect(rm.incidentTimeline(INCIDENT_ID)?.entries.at(-1)).toMatchObject({ kind: 'split', detail: { newIncidentId: SPLIT_OFF, claimIds: moved } });
        expect(rm.incidentTimeline(SPLIT_OFF)?.entries.at(-1)).toMatchObject({ kind: 'split-from', detail: { sourceId: INCIDENT_ID } });
      });
  });

  it('folds to the same rows at every batch size, with a retraction of a moved claim after the split', () => {
    expectBatchSizeFree([...scenario(), retraction(CLAIM.amForeign, PARTY.amForeign, 'Withdrawn.', '2019-06-06')]);
  });
});

describe("a party's record counts (kept on its row)", () => {
  const moved = [CLAIM.karabakhArmy, CLAIM.amForeign];
  const scenarios: Array<[string, ScenarioEntry[]]> = [
    ['the seed article', seedArticleScenario()],
    ['a merge, then a retraction of an absorbed claim', [...mergeScenario(), retraction(CLAIM.karabakhArmy, PARTY.karabakhArmy, 'Withdrawn.', '2019-06-06')]],
    ['a split, then a retraction of a moved claim', [...seedArticleScenario(), split(moved), ...splitFrom(moved), retraction(CLAIM.amForeign, PARTY.amForeign, 'Withdrawn.', '2019-06-06')]],
  ];

  it.each(scenarios)('equal the record summed from its rows after %s', (_, entries) => {
    const store = readModelsOf(envelopesOf(entries));
    try {
      let compared = 0;
      for (const partyId of Object.values(PARTY)) {
        const whole = store.partyRecord(partyId);
        if (!whole) continue;
        expect({ partyId, counts: store.partyRecord(partyId, { limit: 1 })!.counts }).toEqual({ partyId, counts: whole.counts });
        if (whole.counts.claims + whole.counts.denialsMade > 0) compared++;
      }
      expect(compared).toBeGreaterThan(2);
    } finally {
      store.close();
    }
  });
});
