import { fold } from '../shared/decider';
import { DeciderSpecification } from '../testing/decider-specification';
import {
  amForeignClaim,
  article,
  azDefenceClaim,
  azForeignClaim,
  claimCorrected,
  claimDenied,
  claimMade,
  denyClaim,
  entryAmended,
  incidentData,
  INCIDENT_ID,
  incidentReported,
  karabakhArmyClaim,
  karabakhDenial,
  makeClaim,
  minskGroupClaim,
  PARTY,
  reportIncident,
} from '../testing/seed-article.fixtures';
import { IncidentCommand } from './incident.commands';
import { currentStatement, incidentDecider } from './incident.decider';
import { IncidentEvent } from './incident.events';

// Rules are tested per command in incident.decider.<command>.unit.spec.ts; this file covers the state they read.

const spec = DeciderSpecification.for(incidentDecider);

const theNight: IncidentEvent[] = [
  incidentReported(),
  claimMade(azDefenceClaim),
  claimMade({ ...karabakhArmyClaim, answers: [azDefenceClaim.claimId] }),
  claimDenied(karabakhDenial),
  claimMade(azForeignClaim),
  claimMade(amForeignClaim),
  claimMade(minskGroupClaim),
];

describe('incident state', () => {
  it('starts unreported and empty', () => {
    const state = incidentDecider.initialState();
    expect(state.reported).toBe(false);
    expect(state.incident).toBeUndefined();
    expect(state.claims.size).toBe(0);
    expect(state.denials.size).toBe(0);
    expect(state.amendmentIds.size).toBe(0);
  });

  it('holds all five accounts of the night side by side, with the denial', () => {
    const state = fold(incidentDecider, theNight);
    expect(state.reported).toBe(true);
    expect(state.incident).toEqual(incidentData);
    expect([...state.claims.values()].map((c) => [c.claimId, c.partyId, c.version, c.retracted])).toEqual([
      [azDefenceClaim.claimId, PARTY.azDefence, 1, false],
      [karabakhArmyClaim.claimId, PARTY.karabakhArmy, 1, false],
      [azForeignClaim.claimId, PARTY.azForeign, 1, false],
      [amForeignClaim.claimId, PARTY.amForeign, 1, false],
      [minskGroupClaim.claimId, PARTY.minskGroup, 1, false],
    ]);
    expect(state.denials.get(karabakhDenial.denialId)).toMatchObject({ partyId: PARTY.karabakhArmy, claimId: azDefenceClaim.claimId });
  });

  it('follows the claim through corrections: version, words and assertions', () => {
    const words = { text: 'Officer Aqil Omarov was killed by a sniper.', verbatim: false };
    const state = fold(incidentDecider, [
      ...theNight,
      claimCorrected({
        incidentId: INCIDENT_ID,
        claimId: azDefenceClaim.claimId,
        partyId: PARTY.azDefence,
        version: 2,
        statement: words,
        reason: 'More detail',
        statedAt: { at: '2019-05-31', precision: 'day' },
        source: article,
      }),
      claimCorrected({
        incidentId: INCIDENT_ID,
        claimId: azDefenceClaim.claimId,
        partyId: PARTY.azDefence,
        version: 3,
        assertions: { responsibleParties: [PARTY.karabakhArmy, PARTY.amForeign] },
        reason: 'Blame widened',
        statedAt: { at: '2019-06-01', precision: 'day' },
        source: article,
      }),
    ]);
    const claim = state.claims.get(azDefenceClaim.claimId);
    expect(claim?.version).toBe(3);
    expect(claim && currentStatement(claim)).toEqual(words);
    expect(claim?.assertions).toEqual({ ...azDefenceClaim.assertions, responsibleParties: [PARTY.karabakhArmy, PARTY.amForeign] });
  });

  it('remembers amendment ids and applies amendments to the entry', () => {
    const state = fold(incidentDecider, [
      ...theNight,
      entryAmended({
        incidentId: INCIDENT_ID,
        amendmentId: 'a-1',
        entry: { kind: 'incident' },
        changes: { category: { eventType: 'explosions-remote-violence', tags: [] } },
        reason: 'Mis-filed',
      }),
    ]);
    expect(state.amendmentIds.toArray()).toEqual(['a-1']);
    expect(state.incident).toEqual({ ...incidentData, category: { eventType: 'explosions-remote-violence', tags: [] } });
  });

  it('leaves the state as it was for events about entries it does not hold', () => {
    const before = fold(incidentDecider, [incidentReported()]);
    const after = incidentDecider.evolve(
      before,
      claimCorrected({
        incidentId: INCIDENT_ID,
        claimId: 'claim-nobody-made',
        partyId: PARTY.azDefence,
        version: 2,
        reason: 'x',
        statedAt: { at: '2019-05-31', precision: 'day' },
        source: article,
      }),
    );
    expect(after.claims).toBe(before.claims);
  });

  it('evolves without touching the state it was given, sharing every entry the event leaves alone', () => {
    const many = Array.from({ length: 2000 }, (_, i) => claimMade({ ...azDefenceClaim, claimId: `claim-${i}` }));
    const before = fold(incidentDecider, [incidentReported(), ...many]);
    const after = [
      claimCorrected({
        incidentId: INCIDENT_ID,
        claimId: 'claim-7',
        partyId: PARTY.azDefence,
        version: 2,
        statement: { text: 'A sniper.', verbatim: false },
        reason: 'More detail',
        statedAt: { at: '2019-05-31', precision: 'day' },
        source: article,
      }),
      claimDenied({ ...karabakhDenial, claimId: 'claim-8' }),
      entryAmended({ incidentId: INCIDENT_ID, amendmentId: 'a-1', entry: { kind: 'incident' }, changes: { category: { eventType: 'explosions-remote-violence', tags: [] } }, reason: 'Mis-filed' }),
    ].reduce(incidentDecider.evolve, before);

    expect([before.claims.size, before.denials.size, before.amendmentIds.size]).toEqual([2000, 0, 0]);
    expect(before.claims.get('claim-7')?.version).toBe(1);
    expect(after.claims.get('claim-7')?.version).toBe(2);
    expect(after.claims.get('claim-6')).toBe(before.claims.get('claim-6'));
    expect(after.claims.get('claim-1999')).toBe(before.claims.get('claim-1999'));
    expect([...after.claims.keys()].slice(0, 3)).toEqual(['claim-0', 'claim-1', 'claim-2']);
    expect([after.denials.size, after.amendmentIds.size]).toEqual([1, 1]);
  });

  it('lets the whole night be recorded command by command', () => {
    const commands: IncidentCommand[] = [
      reportIncident(),
      makeClaim(azDefenceClaim),
      makeClaim({ ...karabakhArmyClaim, answers: [azDefenceClaim.claimId] }),
      denyClaim(),
      makeClaim(azForeignClaim),
      makeClaim(amForeignClaim),
      makeClaim(minskGroupClaim),
    ];
    const history = commands.reduce<IncidentEvent[]>(
      (events, command) => [...events, ...incidentDecider.decide(command, fold(incidentDecider, events))],
      [],
    );
    expect(history).toEqual(theNight);
    spec.given(history).when(reportIncident()).thenThrows('incident-already-reported');
  });
});
