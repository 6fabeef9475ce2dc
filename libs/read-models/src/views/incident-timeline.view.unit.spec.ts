import { ReadModelSpecification } from '../testing/read-model-specification';
import { ANALYST, CLAIM, DENIAL, EDITOR, INCIDENT_ID, PARTY, amendment, envelopesOf, retraction, seedArticleScenario } from '../testing/seed-article.fixture';
import { IncidentTimelineDoc } from './incident-timeline.view';

const timeline = (extra = [] as ReturnType<typeof seedArticleScenario>): IncidentTimelineDoc =>
  ReadModelSpecification.given()
    .when(...envelopesOf([...seedArticleScenario(), ...extra]))
    .then((rm) => rm.incidentTimeline(INCIDENT_ID)!);

describe('incident-timeline', () => {
  it('lists every entry of the incident in recorded order with a one-line summary', () => {
    const doc = timeline();
    expect(doc.entries.map((e) => [e.position, e.kind, e.partyId, e.summary])).toEqual([
      ['6', 'reported', null, 'Incident reported: Deadly ceasefire violations on the Karabakh line of contact (ceasefire-violation, Line of contact, Nagorno-Karabakh)'],
      ['7', 'claim', PARTY.azDefence, `${PARTY.azDefence} made claim ${CLAIM.azDefence} (responsibleParties, ceasefire, casualties, occurred)`],
      ['8', 'claim', PARTY.azForeign, `${PARTY.azForeign} made claim ${CLAIM.azForeign} answering ${CLAIM.azDefence}`],
      ['9', 'denial', PARTY.karabakhArmy, `${PARTY.karabakhArmy} denied claim ${CLAIM.azDefence} of ${PARTY.azDefence} (ceasefire, responsibleParties)`],
      [
        '10',
        'claim',
        PARTY.karabakhArmy,
        `${PARTY.karabakhArmy} made claim ${CLAIM.karabakhArmy} (responsibleParties, ceasefire, casualties, occurred) answering ${CLAIM.azDefence}`,
      ],
      ['11', 'correction', PARTY.azDefence, `${PARTY.azDefence} corrected claim ${CLAIM.azDefence} to version 2 (statement, casualties): The victim was identified.`],
      ['12', 'claim', PARTY.amForeign, `${PARTY.amForeign} made claim ${CLAIM.amForeign} (responsibleParties) answering ${CLAIM.azForeign}`],
      ['13', 'denial', PARTY.azForeign, `${PARTY.azForeign} denied claim ${CLAIM.amForeign} of ${PARTY.amForeign} (whole claim)`],
      ['14', 'claim', PARTY.minskGroup, `${PARTY.minskGroup} made claim ${CLAIM.minskGroup}`],
      [
        '15',
        'amendment',
        null,
        `Ledger amended claim ${CLAIM.karabakhArmy} version 1 (assertions): Typing error: the army reported one soldier killed.`,
      ],
    ]);
  });

  it('keeps the three clocks apart: stated time from the party, recorded time and recorder from the ledger', () => {
    const doc = timeline();
    expect(doc.entries[3]).toMatchObject({
      kind: 'denial',
      claimId: CLAIM.azDefence,
      denialId: DENIAL.karabakhArmy,
      statedAt: { at: '2019-06-01', precision: 'day' },
      recordedAt: '2019-06-03T09:08:00.000Z',
      recordedBy: ANALYST,
      eventId: '00000000-0000-4000-8000-000000000009',
    });
    expect(doc.entries[0].statedAt).toBeNull();
    expect(doc.entries[9]).toMatchObject({ kind: 'amendment', claimId: CLAIM.karabakhArmy, version: 1, recordedBy: EDITOR, statedAt: null });
    expect(doc.lastPosition).toBe('15');
  });

  it('rewrites the line of an amended entry and records the retraction', () => {
    const doc = timeline([
      retraction(CLAIM.amForeign, PARTY.amForeign, 'Superseded by a later statement.', '2019-06-05'),
      amendment('amend-denial', { kind: 'denial', denialId: DENIAL.karabakhArmy }, { deniedAssertions: ['ceasefire'], statedAt: { at: '2019-06-02', precision: 'day' } }, 'Only the ceasefire was denied.'),
    ]);
    expect(doc.entries[3]).toMatchObject({
      summary: `${PARTY.karabakhArmy} denied claim ${CLAIM.azDefence} of ${PARTY.azDefence} (ceasefire)`,
      statedAt: { at: '2019-06-02', precision: 'day' },
      amendedBy: ['amend-denial'],
    });
    expect(doc.entries.slice(10).map((e) => [e.kind, e.summary])).toEqual([
      ['retraction', `${PARTY.amForeign} retracted claim ${CLAIM.amForeign}: Superseded by a later statement.`],
      ['amendment', `Ledger amended denial ${DENIAL.karabakhArmy} (deniedAssertions, statedAt): Only the ceasefire was denied.`],
    ]);
  });
});
