import { categoryOfV1 } from '@ledger/domain';
import { ReadModelSpecification } from '../testing/read-model-specification';
import { CLAIM, INCIDENT_ID, PARTY, ScenarioEntry, claimMade, envelopesOf, incidentReported, retraction, seedArticleScenario } from '../testing/seed-article.fixture';
import { IncidentListItem } from './incident-list.view';

const list = (entries: ScenarioEntry[]): Map<string, IncidentListItem> =>
  ReadModelSpecification.given()
    .when(...envelopesOf(entries))
    .then((rm) => new Map(rm.listIncidents({ limit: 500 }).items.map((item) => [item.incidentId, item])));

const QUIET_INCIDENT = '7e2f0b44-1d7a-4c55-8b0e-2019060500c3';

describe('incident-list', () => {
  it('summarises the seed incident for dashboards', () => {
    expect(list(seedArticleScenario()).get(INCIDENT_ID)).toEqual({
      incidentId: INCIDENT_ID,
      title: 'Deadly ceasefire violations on the Karabakh line of contact',
      summary: 'Each side reports a serviceman killed by the other side and blames it for the escalation.',
      category: { eventType: 'battles', subEventType: 'armed-clash', tags: ['ceasefire-violation'] },
      occurred: { from: '2019-05-30', to: '2019-06-01', precision: 'day' },
      occurredRange: { start: '2019-05-30T00:00:00.000Z', end: '2019-06-01T23:59:59.999Z' },
      location: { name: 'Line of contact, Nagorno-Karabakh', precision: 'region' },
      reportedAt: '2019-06-03T09:05:00.000Z',
      partyIds: [PARTY.amForeign, PARTY.azDefence, PARTY.azForeign, PARTY.karabakhArmy, PARTY.minskGroup],
      partyNames: {
        [PARTY.amForeign]: 'Ministry of Foreign Affairs of Armenia',
        [PARTY.azDefence]: 'Ministry of Defence of Azerbaijan',
        [PARTY.azForeign]: 'Ministry of Foreign Affairs of Azerbaijan',
        [PARTY.karabakhArmy]: 'Defense Army of Nagorno-Karabakh',
        [PARTY.minskGroup]: 'OSCE Minsk Group Co-Chairs',
      },
      counts: { claims: 5, activeClaims: 5, denials: 2, corrections: 1, retractions: 0, amendments: 1 },
      contested: true,
      disagreementCount: 5,
      lastRecordedAt: '2019-06-03T09:14:00.000Z',
      lastPosition: '15',
      revision: '9',
    });
  });

  it('counts retractions and stays contested while a denial stands', () => {
    const item = list([
      ...seedArticleScenario(),
      retraction(CLAIM.azDefence, PARTY.azDefence, 'Withdrawn.', '2019-06-04'),
    ]).get(INCIDENT_ID)!;
    expect(item.counts).toEqual({ claims: 5, activeClaims: 4, denials: 2, corrections: 1, retractions: 1, amendments: 1 });
    expect([item.contested, item.disagreementCount, item.revision]).toEqual([true, 1, '10']);
  });

  it('is not contested while the accounts agree', () => {
    const items = list([
      incidentReported(QUIET_INCIDENT, {
        title: 'Explosion at a depot',
        summary: 'An explosion at an ammunition depot.',
        occurred: { from: '2019-06-05T10:00:00Z', to: '2019-06-05T11:00:00Z', precision: 'exact' },
        location: { name: 'Depot', precision: 'settlement' },
        category: categoryOfV1('explosion'),
      }),
      claimMade(QUIET_INCIDENT, 'claim-depot', PARTY.azDefence, {
        statement: { text: 'An accident.', verbatim: false },
        statedAt: { at: '2019-06-05', precision: 'day' },
        assertions: { responsibleParties: [] },
      }),
    ]);
    expect(items.get(QUIET_INCIDENT)).toMatchObject({
      occurredRange: { start: '2019-06-05T10:00:00.000Z', end: '2019-06-05T11:00:00.000Z' },
      partyIds: [PARTY.azDefence],
      contested: false,
      disagreementCount: 0,
      counts: { claims: 1, activeClaims: 1, denials: 0, corrections: 0, retractions: 0, amendments: 0 },
    });
    expect([...items.keys()]).toEqual([QUIET_INCIDENT]);
  });
});
