import { LEDGER_PROJECTIONS } from './projections';
import { DocumentProjection, ProjectionContext, foldProjection, foldProjectionState } from './projection';
import { CLAIM, INCIDENT_ID, PARTY, article, envelopesOf, incidentEntry, seedArticleEnvelopes, seedArticleScenario } from './testing/seed-article.fixture';
import { ClaimHistoryDoc, IncidentTimelineDoc, PartyRecordDoc, PartyVersionsDoc } from './projections';

const deepFreeze = <T>(value: T): T => {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
};

/** The fold the store runs, but with every stored document frozen: a projection that mutates its input throws. */
const foldFrozen = <Doc>(projection: DocumentProjection<Doc>, envelopes = seedArticleEnvelopes()): Map<string, Doc> => {
  const docs = new Map<string, Doc>();
  const ctx: ProjectionContext<Doc> = { get: (key) => docs.get(key) };
  for (const e of envelopes) {
    for (const key of projection.keysOf(e, ctx)) {
      const next = projection.evolve(docs.get(key), e, key, ctx);
      if (next === undefined) docs.delete(key);
      else docs.set(key, deepFreeze(next));
    }
  }
  return docs;
};

describe('projections', () => {
  it.each(LEDGER_PROJECTIONS.map((p) => [p.name, p]))('%s never mutates the documents it is given', (_name, projection) => {
    expect(foldFrozen(projection)).toEqual(foldProjectionState(projection, seedArticleEnvelopes()));
  });

  it.each(LEDGER_PROJECTIONS.map((p) => [p.name, p]))('%s produces documents that survive a JSON round trip unchanged', (_name, projection) => {
    const docs = foldProjectionState(projection, seedArticleEnvelopes());
    for (const doc of docs.values()) expect(JSON.parse(JSON.stringify(doc))).toStrictEqual(doc);
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
