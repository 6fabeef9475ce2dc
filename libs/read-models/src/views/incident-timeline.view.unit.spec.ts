import { ReadModelSpecification } from '../testing/read-model-specification';
import {
  ANALYST,
  CLAIM,
  DENIAL,
  EDITOR,
  INCIDENT_ID,
  PARTY,
  amendment,
  claimMade,
  envelopesOf,
  incidentReported,
  retraction,
  seedArticleScenario,
} from '../testing/seed-article.fixture';
import { IncidentTimelineDoc } from './incident-timeline.view';

const QUIET = '7e2f0b44-1d7a-4c55-8b0e-2019060500c3';
const AZ_MOD = 'Ministry of Defence of Azerbaijan';
const AZ_MFA = 'Ministry of Foreign Affairs of Azerbaijan';
const AM_MFA = 'Ministry of Foreign Affairs of Armenia';
const KDA = 'Defense Army of Nagorno-Karabakh';
const OSCE = 'OSCE Minsk Group Co-Chairs';

const timeline = (extra = [] as ReturnType<typeof seedArticleScenario>): IncidentTimelineDoc =>
  ReadModelSpecification.given()
    .when(...envelopesOf([...seedArticleScenario(), ...extra]))
    .then((rm) => rm.incidentTimeline(INCIDENT_ID)!);

describe('incident-timeline', () => {
  it('lists every entry of the incident in recorded order with a one-line summary', () => {
    const doc = timeline();
    expect(doc.entries.map((e) => [e.position, e.kind, e.partyName, e.summary])).toEqual([
      ['6', 'reported', null, 'Incident reported: Deadly ceasefire violations on the Karabakh line of contact (battles/armed-clash #ceasefire-violation, Line of contact, Nagorno-Karabakh)'],
      [
        '7',
        'claim',
        AZ_MOD,
        `${AZ_MOD} claimed that ${KDA} is responsible, ${KDA} violated the ceasefire, ${AZ_MOD} had 1 killed and it happened on 2019-05-30`,
      ],
      ['8', 'claim', AZ_MFA, `${AZ_MFA} said "Armenia is seeking to scuttle the high-level negotiations planned by the two sides.", in answer to ${AZ_MOD}`],
      ['9', 'denial', KDA, `${KDA} denied ${AZ_MOD}'s claim that ${KDA} is responsible and ${KDA} violated the ceasefire`],
      [
        '10',
        'claim',
        KDA,
        `${KDA} claimed that ${AZ_MOD} is responsible, ${AZ_MOD} violated the ceasefire, ${KDA} had 1 killed (1 named victim) and it happened between 2019-05-31 and 2019-06-01, in answer to ${AZ_MOD}`,
      ],
      ['11', 'correction', AZ_MOD, `${AZ_MOD} corrected its claim (version 2): now says that ${AZ_MOD} had 1 killed (1 named victim). Reason: The victim was identified.`],
      ['12', 'claim', AM_MFA, `${AM_MFA} claimed that ${AZ_MOD} is responsible, in answer to ${AZ_MFA}`],
      ['13', 'denial', AZ_MFA, `${AZ_MFA} denied ${AM_MFA}'s claim that ${AZ_MOD} is responsible`],
      ['14', 'claim', OSCE, `${OSCE} said "The Co-Chairs expressed deep concern about recent casualties and called on the parties to exercise maximum restraint ..."`],
      ['15', 'amendment', null, `The ledger fixed its transcription of ${KDA}'s claim (version 1), field assertions: Typing error: the army reported one soldier killed.`],
    ]);
    expect(doc.partyNames).toEqual({
      [PARTY.amForeign]: AM_MFA,
      [PARTY.azDefence]: AZ_MOD,
      [PARTY.azForeign]: AZ_MFA,
      [PARTY.karabakhArmy]: KDA,
      [PARTY.minskGroup]: OSCE,
    });
  });

  it('names a party not registered by its id in the line, and null beside it', () => {
    const doc = ReadModelSpecification.given()
      .when(...envelopesOf([incidentReported(QUIET), claimMade(QUIET, 'claim-quiet', 'unregistered-militia', { assertions: { responsibleParties: [] } })]))
      .then((rm) => rm.incidentTimeline(QUIET)!);
    expect(doc.entries[1]).toMatchObject({ partyId: 'unregistered-militia', partyName: null, summary: 'unregistered-militia claimed that no one is responsible' });
    expect(doc.partyNames).toEqual({ 'unregistered-militia': null });
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
      summary: `${KDA} denied ${AZ_MOD}'s claim that ${KDA} violated the ceasefire`,
      statedAt: { at: '2019-06-02', precision: 'day' },
      amendedBy: ['amend-denial'],
    });
    expect(doc.entries.slice(10).map((e) => [e.kind, e.summary])).toEqual([
      ['retraction', `${AM_MFA} retracted its claim that ${AZ_MOD} is responsible. Reason: Superseded by a later statement.`],
      ['amendment', `The ledger fixed its transcription of ${KDA}'s denial, fields deniedAssertions, statedAt: Only the ceasefire was denied.`],
    ]);
  });
});
