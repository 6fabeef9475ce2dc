import { ReadModelSpecification } from '../testing/read-model-specification';
import { AMENDMENT, ANALYST, CLAIM, DENIAL, EDITOR, INCIDENT_ID, PARTY, ScenarioEntry, amendment, article, envelopesOf, retraction, seedArticleScenario } from '../testing/seed-article.fixture';
import { ClaimHistoryDoc, currentClaimOf } from './claim-history.view';

const history = (claimId: string, extra: ScenarioEntry[] = []): ClaimHistoryDoc => {
  const doc = ReadModelSpecification.given()
    .when(...envelopesOf([...seedArticleScenario(), ...extra]))
    .then((rm) => rm.claimHistory(INCIDENT_ID, claimId));
  if (!doc) throw new Error(`no history of ${claimId}`);
  return doc as ClaimHistoryDoc;
};

describe('claim-history', () => {
  it('names the incident, the claimant, the deniers and every party its versions assert about', () => {
    const doc = history(CLAIM.azDefence);
    expect(doc).toMatchObject({ incidentTitle: 'Deadly ceasefire violations on the Karabakh line of contact', partyName: 'Ministry of Defence of Azerbaijan' });
    expect(doc.denials[0]).toMatchObject({ partyId: PARTY.karabakhArmy, partyName: 'Defense Army of Nagorno-Karabakh' });
    expect(doc.partyNames).toEqual({ [PARTY.azDefence]: 'Ministry of Defence of Azerbaijan', [PARTY.karabakhArmy]: 'Defense Army of Nagorno-Karabakh' });
    const current = currentClaimOf(doc);
    expect(current).toMatchObject({ partyName: doc.partyName, incidentTitle: doc.incidentTitle, partyNames: doc.partyNames });
    expect([current.firstStatedAt, current.statedAt]).toEqual([{ at: '2019-05-30', precision: 'day' }, { at: '2019-05-31', precision: 'day' }]);
  });

  it('has a history for every claim, and none through another incident', () => {
    ReadModelSpecification.given()
      .when(...envelopesOf(seedArticleScenario()))
      .then((rm) => {
        for (const claimId of Object.values(CLAIM)) expect(rm.claimHistory(INCIDENT_ID, claimId)?.claimId).toBe(claimId);
        expect(rm.claimHistory('00000000-0000-4000-8000-000000000000', CLAIM.azDefence)).toBeUndefined();
      });
  });

  it('lists every version in full with the field-level changes from the previous one', () => {
    const doc = history(CLAIM.azDefence);
    expect(doc).toMatchObject({ claimId: CLAIM.azDefence, incidentId: INCIDENT_ID, partyId: PARTY.azDefence, currentVersion: 2, lastPosition: '11' });
    const [v1, v2] = doc.versions;
    expect(v1).toMatchObject({
      version: 1,
      kind: 'made',
      statement: { text: 'One of its servicemen was shot and killed by enemy fire near Karabakh.' },
      statedAt: { at: '2019-05-30', precision: 'day' },
      changes: [],
      eventId: '00000000-0000-4000-8000-000000000007',
      recordedAt: '2019-06-03T09:06:00.000Z',
      recordedBy: ANALYST,
      position: '7',
    });
    expect(v1.assertions.casualties).toEqual([{ side: PARTY.azDefence, killed: { best: 1 } }]);
    expect(v2).toMatchObject({
      version: 2,
      kind: 'corrected',
      reason: 'The victim was identified.',
      statedAt: { at: '2019-05-31', precision: 'day' },
      source: article,
      recordedAt: '2019-06-03T09:10:00.000Z',
      position: '11',
    });
    // The correction restated only the casualties; the other assertions carry over from version 1.
    expect(Object.keys(v2.stated.assertions)).toEqual(['casualties']);
    expect(v2.assertions.responsibleParties).toEqual([PARTY.karabakhArmy]);
    expect(v2.changes).toEqual([
      {
        path: 'statement.text',
        from: 'One of its servicemen was shot and killed by enemy fire near Karabakh.',
        to: 'One of its servicemen, mid-ranking officer Aqil Omarov, was shot and killed by enemy fire near Karabakh.',
      },
      { path: 'assertions.casualties[0].named', from: null, to: [{ name: 'Aqil Omarov', role: 'mid-ranking officer', status: 'killed' }] },
      { path: 'statedAt.at', from: '2019-05-30', to: '2019-05-31' },
    ]);
  });

  it("lists ledger amendments apart from the party's versions, with what they changed", () => {
    const doc = history(CLAIM.karabakhArmy);
    expect(doc.versions).toHaveLength(1);
    expect(doc.versions[0].assertions.casualties?.[0].killed).toEqual({ best: 1 });
    expect(doc.versions[0].amendedBy).toEqual([AMENDMENT.karabakhFigure]);
    expect(doc.amendments).toEqual([
      {
        amendmentId: AMENDMENT.karabakhFigure,
        target: 'claim',
        version: 1,
        reason: 'Typing error: the army reported one soldier killed.',
        changes: [{ path: 'assertions.casualties[0].killed.best', from: 2, to: 1 }],
        eventId: '00000000-0000-4000-8000-000000000015',
        recordedAt: '2019-06-03T09:14:00.000Z',
        recordedBy: EDITOR,
        position: '15',
      },
    ]);
  });

  it('carries an amendment of an old version through the later versions that did not restate the field', () => {
    const v1 = seedArticleScenario()[6].event;
    if (v1.type !== 'ClaimMade') throw new Error('fixture changed');
    const doc = history(CLAIM.azDefence, [
      amendment(
        'amend-occurred',
        { kind: 'claim', claimId: CLAIM.azDefence, version: 1 },
        { assertions: { ...v1.data.assertions, occurred: { from: '2019-05-29', to: '2019-05-30', precision: 'day' } } },
        'Start date mistyped.',
      ),
    ]);
    expect(doc.versions.map((v) => v.assertions.occurred?.from)).toEqual(['2019-05-29', '2019-05-29']);
    expect(doc.versions[1].changes.map((c) => c.path)).toEqual(['statement.text', 'assertions.casualties[0].named', 'statedAt.at']);
    expect(doc.amendments[0]).toMatchObject({
      target: 'claim',
      version: 1,
      changes: [{ path: 'assertions.occurred.from', from: '2019-05-30', to: '2019-05-29' }],
    });
  });

  it('records the denials received and the retraction with their stated and recorded times', () => {
    const doc = history(CLAIM.azDefence, [
      retraction(CLAIM.azDefence, PARTY.azDefence, 'Withdrawn pending an inquiry.', '2019-06-04'),
      amendment('amend-denial', { kind: 'denial', denialId: DENIAL.karabakhArmy }, { deniedAssertions: ['ceasefire'] }, 'Only the ceasefire was denied.'),
      amendment('amend-retraction', { kind: 'retraction', claimId: CLAIM.azDefence }, { reason: 'Withdrawn.' }, 'Reason mistyped.'),
    ]);
    expect(doc.denials).toEqual([
      {
        denialId: DENIAL.karabakhArmy,
        partyId: PARTY.karabakhArmy,
        partyName: 'Defense Army of Nagorno-Karabakh',
        claimVersion: 1,
        deniedAssertions: ['ceasefire'],
        statement: { text: 'did not breach the ceasefire at any section of "the line of contact"', verbatim: true, language: 'en' },
        statedAt: { at: '2019-06-01', precision: 'day' },
        source: article,
        amendedBy: ['amend-denial'],
        eventId: '00000000-0000-4000-8000-000000000009',
        recordedAt: '2019-06-03T09:08:00.000Z',
        recordedBy: ANALYST,
        position: '9',
      },
    ]);
    expect(doc.retracted).toBe(true);
    expect(doc.retraction).toEqual({
      reason: 'Withdrawn.',
      statedAt: { at: '2019-06-04', precision: 'day' },
      source: article,
      amendedBy: ['amend-retraction'],
      eventId: '00000000-0000-4000-8000-000000000016',
      recordedAt: '2019-06-03T09:15:00.000Z',
      recordedBy: ANALYST,
      position: '16',
    });
    expect(doc.amendments.map((a) => [a.amendmentId, a.target, a.denialId ?? null, a.changes])).toEqual([
      ['amend-denial', 'denial', DENIAL.karabakhArmy, [{ path: 'deniedAssertions[1]', from: 'responsibleParties', to: null }]],
      ['amend-retraction', 'retraction', null, [{ path: 'reason', from: 'Withdrawn pending an inquiry.', to: 'Withdrawn.' }]],
    ]);
    expect(doc.lastPosition).toBe('18');
  });

  it('keeps each denial with the claim it denies, so that an amendment of the denial reaches the claim', () => {
    const denied = history(CLAIM.azDefence, [
      amendment('amendment-denial-date', { kind: 'denial', denialId: DENIAL.karabakhArmy }, { statedAt: { at: '2019-05-31', precision: 'day' } }, 'Mistyped date.'),
    ]);
    expect(denied.denials.find((d) => d.denialId === DENIAL.karabakhArmy)?.statedAt).toEqual({ at: '2019-05-31', precision: 'day' });
    expect(denied.amendments.map((a) => [a.amendmentId, a.target, a.denialId])).toContainEqual(['amendment-denial-date', 'denial', DENIAL.karabakhArmy]);
  });
});

describe('claim-history: denials bound to the version they deny', () => {
  const denialOfCurrent = (denialId: string, claimVersion: number | null): ScenarioEntry => ({
    streamName: seedArticleScenario().find((e) => e.event.type === 'ClaimDenied')!.streamName,
    recordedBy: ANALYST,
    event: {
      type: 'ClaimDenied',
      data: {
        incidentId: INCIDENT_ID,
        denialId,
        claimId: CLAIM.azDefence,
        claimPartyId: PARTY.azDefence,
        partyId: PARTY.amForeign,
        statement: { text: 'Baku names a victim to hide its own provocation.', verbatim: false },
        deniedAssertions: ['casualties'],
        statedAt: { at: '2019-06-02', precision: 'day' },
        source: article,
        claimVersion,
      },
    },
  });

  it('shows a denial of version 1 against version 1 after the claim is corrected to version 2; the current version stands undenied', () => {
    // The seed article: the Karabakh army denies the Azerbaijani claim (version 1), which is then corrected to version 2.
    const doc = history(CLAIM.azDefence);
    expect(doc.currentVersion).toBe(2);
    expect(doc.denials).toEqual([expect.objectContaining({ denialId: DENIAL.karabakhArmy, claimVersion: 1 })]);
    expect(doc.versions.map((v) => [v.version, v.deniedBy])).toEqual([[1, [DENIAL.karabakhArmy]], [2, []]]);
    expect(doc.currentVersionDenied).toBe(false);
    expect(currentClaimOf(doc)).toMatchObject({ currentVersionDenied: false, denials: [{ denialId: DENIAL.karabakhArmy, claimVersion: 1 }] });
  });

  it('counts a denial of the current version (v2 names it; an upcast v1 is bound to the version current when recorded)', () => {
    for (const claimVersion of [2, null]) {
      const doc = history(CLAIM.azDefence, [denialOfCurrent('denial-am-foreign', claimVersion)]);
      expect(doc.versions.map((v) => [v.version, v.deniedBy])).toEqual([[1, [DENIAL.karabakhArmy]], [2, ['denial-am-foreign']]]);
      expect(doc.currentVersionDenied).toBe(true);
    }
  });

  it('keeps version rows, counts and the denial point in step (one batch or one event per batch alike)', () => {
    ReadModelSpecification.given(envelopesOf(seedArticleScenario()))
      .when()
      .then((rm) => {
        const dump = rm.dump() as Record<string, Array<Record<string, unknown>>>;
        const versions = dump.claim_versions.filter((v) => v.claimId === CLAIM.azDefence).map((v) => [v.version, v.denials]);
        expect(versions).toEqual([[1, 1], [2, 0]]);
        expect(dump.claims.find((c) => c.claimId === CLAIM.azDefence)).toMatchObject({ denials: 1, currentVersionDenials: 0 });
        const point = rm.partyVersions(INCIDENT_ID)!.disagreements.find((d) => d.kind === 'denial' && d.positions.some((p) => p.denialId === DENIAL.karabakhArmy))!;
        expect(point.positions.map((p) => [p.role, p.claimVersion])).toEqual([['claimant', 1], ['denier', 1]]);
        const party = rm.partyVersions(INCIDENT_ID)!.parties.find((p) => p.partyId === PARTY.azDefence)!;
        expect(party.claims.find((c) => c.claimId === CLAIM.azDefence)).toMatchObject({ currentVersionDenied: false, denials: [{ claimVersion: 1 }] });
      });
  });

  it('moves the denial to the version an amendment names, with the counts', () => {
    const doc = history(CLAIM.azDefence, [amendment('rebind', { kind: 'denial', denialId: DENIAL.karabakhArmy }, { claimVersion: 2 }, 'Bound to the wrong version.')]);
    expect(doc.versions.map((v) => [v.version, v.deniedBy])).toEqual([[1, []], [2, [DENIAL.karabakhArmy]]]);
    expect(doc.currentVersionDenied).toBe(true);
    expect(doc.amendments).toEqual([expect.objectContaining({ target: 'denial', changes: [{ path: 'claimVersion', from: 1, to: 2 }] })]);
  });
});
