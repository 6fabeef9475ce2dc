import { describeFeedEvent, eventName, partiesOf } from './feed-news';

const names: Record<string, string> = { 'azerbaijan-defence-ministry': 'Ministry of Defence of Azerbaijan', 'karabakh-defense-army': 'Defense Army of Nagorno-Karabakh' };
const nameOf = (id: string) => names[id] ?? id;

describe('feed news', () => {
  it('says what arrived with party names, not ids', () => {
    const made = { type: 'dev.incident-ledger.ClaimMade.v1', data: { partyId: 'karabakh-defense-army', claimId: 'c1', statement: { text: 'They fired first.' } } };
    expect(describeFeedEvent(made, nameOf)).toBe('Defense Army of Nagorno-Karabakh made a claim: “They fired first.”');
    const denied = {
      type: 'dev.incident-ledger.ClaimDenied.v1',
      data: { partyId: 'azerbaijan-defence-ministry', claimPartyId: 'karabakh-defense-army', claimId: 'c1', deniedAssertions: ['responsibleParties'] },
    };
    expect(describeFeedEvent(denied, nameOf)).toBe("Ministry of Defence of Azerbaijan denied Defense Army of Nagorno-Karabakh's claim on responsibleParties");
    expect(describeFeedEvent({ type: 'dev.incident-ledger.ClaimCorrected.v1', data: { partyId: 'karabakh-defense-army', version: 2, reason: 'new figures' } }, nameOf)).toBe(
      'Defense Army of Nagorno-Karabakh corrected its claim (now version 2): new figures',
    );
    expect(describeFeedEvent({ type: 'dev.incident-ledger.ClaimRetracted.v1', data: { partyId: 'azerbaijan-defence-ministry' } }, nameOf)).toBe(
      'Ministry of Defence of Azerbaijan retracted its claim',
    );
    expect(describeFeedEvent({ type: 'dev.incident-ledger.SourceGraded.v1', data: { claimId: 'c1', reliability: 'C', credibility: 3, reason: 'unconfirmed' } }, nameOf)).toBe(
      "a recorder graded a claim's source C3: unconfirmed",
    );
    for (const text of [describeFeedEvent(made, nameOf), describeFeedEvent(denied, nameOf)]) expect(text).not.toMatch(/karabakh-defense-army|azerbaijan-defence-ministry|c1/);
  });

  it('falls back to the id for a party it cannot name, and to the event name for a type it does not know', () => {
    expect(describeFeedEvent({ type: 'dev.incident-ledger.ClaimMade.v1', data: { partyId: 'new-party' } }, nameOf)).toBe('new-party made a claim');
    expect(describeFeedEvent({ type: 'dev.incident-ledger.SomethingNew.v3', data: {} }, nameOf)).toBe('SomethingNew');
    expect(eventName(undefined)).toBe('event');
  });

  it('lists the parties an event names', () => {
    expect(partiesOf({ data: { partyId: 'a', claimPartyId: 'b' } })).toEqual(['a', 'b']);
    expect(partiesOf({})).toEqual([]);
  });
});
