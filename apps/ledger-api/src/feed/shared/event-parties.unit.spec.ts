import { isLedgerStreamName } from '@ledger/domain';
import { incidentIdOf, partyRefsOf } from './event-parties';

const I = 'incident-5f0c0000-0000-4000-8000-000000000000';

describe('partyRefsOf: which parties an event is of or about', () => {
  it('a party stream event concerns its party and the party it is affiliated with', () => {
    expect(partyRefsOf('party-karabakh-defense-army', 'PartyRegistered.v1', { partyId: 'karabakh-defense-army', affiliation: { partyId: 'armenia', description: 'Armenian-backed' } })).toEqual({
      named: ['karabakh-defense-army', 'armenia'],
      claims: [],
      denials: [],
    });
    expect(partyRefsOf('party-osce', 'PartyRegistered.v1', { partyId: 'osce' }).named).toEqual(['osce']);
  });

  it('a claim concerns its claimant, the parties its assertions name, and the claimants of the claims it answers', () => {
    const refs = partyRefsOf(I, 'ClaimMade.v1', {
      partyId: 'azerbaijan-foreign-ministry',
      answers: ['c-1'],
      assertions: {
        responsibleParties: ['armenia'],
        ceasefire: { violated: true, by: ['karabakh-defense-army'] },
        casualties: [{ side: 'azerbaijan-defence-ministry' }, { side: 'civilians' }],
      },
    });
    expect(refs).toEqual({
      named: ['azerbaijan-foreign-ministry', 'armenia', 'karabakh-defense-army', 'azerbaijan-defence-ministry'],
      claims: ['c-1'],
      denials: [],
    });
  });

  it('a denial by Q of P\'s claim concerns both P and Q', () => {
    expect(partyRefsOf(I, 'ClaimDenied.v1', { partyId: 'q', claimPartyId: 'p', denialId: 'd', claimId: 'c' }).named).toEqual(['q', 'p']);
  });

  it('corrections and retractions concern the claimant (and, for corrections, the parties the new assertions name)', () => {
    expect(partyRefsOf(I, 'ClaimCorrected.v1', { partyId: 'p', assertions: { responsibleParties: ['q'] } }).named).toEqual(['p', 'q']);
    expect(partyRefsOf(I, 'ClaimRetracted.v1', { partyId: 'p' }).named).toEqual(['p']);
  });

  it('an amendment refers to the owner of the entry it fixes, and to the parties its new assertions name', () => {
    expect(partyRefsOf(I, 'EntryAmended.v1', { entry: { kind: 'claim', claimId: 'c', version: 1 }, changes: { assertions: { responsibleParties: ['q'] } } })).toEqual({
      named: ['q'],
      claims: ['c'],
      denials: [],
    });
    expect(partyRefsOf(I, 'EntryAmended.v1', { entry: { kind: 'retraction', claimId: 'c' }, changes: {} }).claims).toEqual(['c']);
    expect(partyRefsOf(I, 'EntryAmended.v1', { entry: { kind: 'denial', denialId: 'd' }, changes: {} }).denials).toEqual(['d']);
    expect(partyRefsOf(I, 'EntryAmended.v1', { entry: { kind: 'incident' }, changes: { title: 'x' } })).toEqual({ named: [], claims: [], denials: [] });
  });

  it('an incident report concerns no party; malformed or unknown events concern none rather than throwing', () => {
    expect(partyRefsOf(I, 'IncidentReported.v1', { title: 't' }).named).toEqual([]);
    expect(partyRefsOf(I, 'Unknown.v1', { partyId: 'p' }).named).toEqual([]);
    expect(partyRefsOf(I, 'ClaimMade.v1', null).named).toEqual([]);
    expect(partyRefsOf(I, 'ClaimMade.v1', { partyId: 'p', assertions: { casualties: 'nonsense' } }).named).toEqual(['p']);
  });

  it('tells ledger streams from bookkeeping streams, and reads the incident id from the stream name', () => {
    expect(['incident-1', 'party-a', 'integrity-checkpoints', 'audit-access', 'idempotency-x'].map(isLedgerStreamName)).toEqual([true, true, false, false, false]);
    expect(incidentIdOf('incident-ABC')).toBe('abc');
    expect(incidentIdOf('party-a')).toBeUndefined();
  });
});
