import { LedgerEnvelope } from '../envelope';
import { readModelsOf } from '../testing/read-model-specification';
import { ClaimHistoryDoc } from '../views/claim-history.view';
import { PartyVersionsDoc } from '../views/party-versions.view';
import { AMENDMENT, CLAIM, DENIAL, INCIDENT_ID, PARTY, ScenarioEntry, amendment, claimMade, envelopesOf, incidentReported, recordedAtOf, seedArticleEnvelopes, seedArticleScenario } from '../testing/seed-article.fixture';
import { AsOf } from './as-of';
import { claimHistoryAsOf, lastPositionOf, partyVersionsAsOf } from './time-travel';

const OTHER_INCIDENT = '0c5d7a2e-8f3b-4b1a-9e6d-2019060400b2';
const log = seedArticleEnvelopes();

const recorded = (at: string): AsOf => ({ clock: 'recorded', at });
const stated = (at: string): AsOf => ({ clock: 'stated', at });
const msBefore = (iso: string): string => new Date(Date.parse(iso) - 1).toISOString();

const partyOf = (doc: PartyVersionsDoc | undefined, partyId: string) => doc?.parties.find((p) => p.partyId === partyId);
const claimOf = (doc: PartyVersionsDoc | undefined, claimId: string) => doc?.parties.flatMap((p) => p.claims).find((c) => c.claimId === claimId);
const azRole = (doc: PartyVersionsDoc | undefined) => partyOf(doc, PARTY.azDefence)?.currentAccount.casualties?.value[0].named?.[0].role;
const karabakhKilled = (doc: PartyVersionsDoc | undefined) => claimOf(doc, CLAIM.karabakhArmy)?.assertions.casualties?.[0].killed?.best;

/** The current read models: the projections folded over the whole log, as the runner builds them. */
const currentVersions = (envelopes: LedgerEnvelope[] = log): PartyVersionsDoc | undefined => readModelsOf(envelopes).partyVersions(INCIDENT_ID);
const currentHistories = (envelopes: LedgerEnvelope[] = log): Map<string, ClaimHistoryDoc> => {
  const rm = readModelsOf(envelopes);
  return new Map(Object.values(CLAIM).map((claimId) => [claimId, rm.claimHistory(INCIDENT_ID, claimId)!]));
};

describe('time travel on the recorded clock: before and after each event of the seed article', () => {
  it.each(log.map((e, i) => [i, e.event.type]))('event %i (%s): as of just before it, the answer is the log before it; as of it, the log through it', (i) => {
    const before = partyVersionsAsOf(log, INCIDENT_ID, recorded(msBefore(recordedAtOf(i))));
    const after = partyVersionsAsOf(log, INCIDENT_ID, recorded(recordedAtOf(i)));
    expect(before).toEqual(currentVersions(log.slice(0, i)));
    expect(after).toEqual(currentVersions(log.slice(0, i + 1)));
    for (const claimId of Object.values(CLAIM)) {
      expect(claimHistoryAsOf(log, INCIDENT_ID, claimId, recorded(recordedAtOf(i)))).toEqual(currentHistories(log.slice(0, i + 1)).get(claimId));
    }
  });

  it('has no incident before it was reported, and the incident with no party versions right after', () => {
    expect(partyVersionsAsOf(log, INCIDENT_ID, recorded('2019-06-03T09:04:59.999Z'))).toBeUndefined();
    const reported = partyVersionsAsOf(log, INCIDENT_ID, recorded('2019-06-03T09:05:00Z'));
    expect(reported?.incident?.title).toBe('Deadly ceasefire violations on the Karabakh line of contact');
    expect(reported?.parties).toEqual([]);
    expect(reported?.disagreements).toEqual([]);
  });

  it("shows Baku's defence ministry without the officer's name and rank until its correction was recorded (09:10)", () => {
    const before = partyVersionsAsOf(log, INCIDENT_ID, recorded('2019-06-03T09:09:59Z'));
    const after = partyVersionsAsOf(log, INCIDENT_ID, recorded('2019-06-03T09:10:00Z'));
    expect(claimOf(before, CLAIM.azDefence)?.version).toBe(1);
    expect(azRole(before)).toBeUndefined();
    expect(claimOf(after, CLAIM.azDefence)?.version).toBe(2);
    expect(azRole(after)).toBe('mid-ranking officer');
  });

  it("shows the Karabakh army's casualty as the recorder mistyped it (2) until the ledger's amendment was recorded (09:14)", () => {
    expect(karabakhKilled(partyVersionsAsOf(log, INCIDENT_ID, recorded('2019-06-03T09:13:59Z')))).toBe(2);
    expect(karabakhKilled(partyVersionsAsOf(log, INCIDENT_ID, recorded('2019-06-03T09:14:00Z')))).toBe(1);
  });

  it("has no version for a party before its first entry was recorded: the Minsk Group's comes at 09:13", () => {
    expect(partyOf(partyVersionsAsOf(log, INCIDENT_ID, recorded('2019-06-03T09:12:59Z')), PARTY.minskGroup)).toBeUndefined();
    expect(partyOf(partyVersionsAsOf(log, INCIDENT_ID, recorded('2019-06-03T09:13:00Z')), PARTY.minskGroup)?.claims).toHaveLength(1);
  });

  it('shows the disagreements as they stood: none with one account, four once the Karabakh army had spoken', () => {
    const fields = (asOf: AsOf) => partyVersionsAsOf(log, INCIDENT_ID, asOf)?.disagreements.map((d) => d.field);
    expect(fields(recorded('2019-06-03T09:06:00Z'))).toEqual([]);
    expect(fields(recorded('2019-06-03T09:09:00Z'))).toEqual(['responsibleParties', 'ceasefire', 'occurred', 'ceasefire,responsibleParties']);
  });
});

describe('time travel on the position clock', () => {
  it.each(log.map((e) => [e.position, e.event.type]))('as of position %s (%s): the log through that position', (position) => {
    const index = log.findIndex((e) => e.position === position);
    expect(partyVersionsAsOf(log, INCIDENT_ID, { clock: 'position', position })).toEqual(currentVersions(log.slice(0, index + 1)));
  });

  it('has nothing at position 0', () => {
    expect(partyVersionsAsOf(log, INCIDENT_ID, { clock: 'position', position: 0n })).toBeUndefined();
  });
});

describe('time travel on the stated clock', () => {
  const at = (iso: string) => partyVersionsAsOf(log, INCIDENT_ID, stated(iso));
  const parties = (iso: string) => at(iso)?.parties.map((p) => p.partyId);

  it('shows the incident the ledger knows of with nothing said yet before the first statement', () => {
    const doc = at('2019-05-29');
    expect(doc?.incident?.title).toBe('Deadly ceasefire violations on the Karabakh line of contact');
    expect(doc?.parties).toEqual([]);
  });

  it('does not count a statement known to the day until that day is over', () => {
    expect(parties('2019-05-30T12:00:00Z')).toEqual([]);
    expect(parties('2019-05-30')).toEqual([PARTY.azDefence]);
  });

  it('adds the parties in the order they were recorded, each once what it said is certainly said', () => {
    expect(parties('2019-05-31')).toEqual([PARTY.azDefence, PARTY.azForeign]);
    expect(parties('2019-06-01')).toEqual([PARTY.azDefence, PARTY.azForeign, PARTY.karabakhArmy]);
    // Yerevan spoke "in the week of 1 June", a week that ends on Sunday the 2nd.
    expect(parties('2019-06-02')).toEqual([PARTY.azDefence, PARTY.azForeign, PARTY.karabakhArmy, PARTY.amForeign, PARTY.minskGroup]);
  });

  it("shows Baku's correction as said on 31 May, although it was recorded after the Karabakh army's claim of 1 June", () => {
    expect(azRole(at('2019-05-30'))).toBeUndefined();
    expect(claimOf(at('2019-05-31'), CLAIM.azDefence)?.version).toBe(2);
    expect(azRole(at('2019-05-31'))).toBe('mid-ranking officer');
    expect(partyOf(at('2019-05-31'), PARTY.karabakhArmy)).toBeUndefined();
  });

  it("shows the Karabakh army's claim as amended from the moment it counts: a transcription fix travels with its entry", () => {
    expect(karabakhKilled(at('2019-06-01'))).toBe(1);
    expect(claimOf(at('2019-06-01'), CLAIM.karabakhArmy)?.versions[0].amendedBy).toEqual([AMENDMENT.karabakhFigure]);
  });

  it('has a claim stated early but recorded late, where the recorded clock at the same date has nothing', () => {
    const lateClaim: ScenarioEntry = claimMade(INCIDENT_ID, 'claim-late-minsk-group', PARTY.minskGroup, {
      statement: { text: 'The Co-Chairs had urged restraint the week before.', verbatim: false },
      statedAt: { at: '2019-05-28', precision: 'day' },
    });
    const withLate = envelopesOf([...seedArticleScenario(), lateClaim]);
    expect(partyVersionsAsOf(withLate, INCIDENT_ID, stated('2019-05-28'))?.parties.map((p) => p.partyId)).toEqual([PARTY.minskGroup]);
    expect(partyVersionsAsOf(withLate, INCIDENT_ID, recorded('2019-05-28'))).toBeUndefined();
    // Even on the day of the article, before 09:15, the ledger did not know of it.
    expect(partyOf(partyVersionsAsOf(withLate, INCIDENT_ID, recorded('2019-06-03T09:14:59Z')), PARTY.minskGroup)?.claims.map((c) => c.claimId)).toEqual([CLAIM.minskGroup]);
    expect(claimHistoryAsOf(withLate, INCIDENT_ID, 'claim-late-minsk-group', stated('2019-05-28'))?.versions).toHaveLength(1);
    expect(claimHistoryAsOf(withLate, INCIDENT_ID, 'claim-late-minsk-group', recorded('2019-06-03T09:14:59Z'))).toBeUndefined();
  });

  it('folds without throwing where an entry that others refer to is left out (a correction stated before its amended claim)', () => {
    // The ledger moves the claim's own date after its correction's: the correction is in, the claim it corrects is not.
    const moveClaim = amendment('amendment-az-date', { kind: 'claim', claimId: CLAIM.azDefence, version: 1 }, { statedAt: { at: '2019-06-05', precision: 'day' } }, 'The ministry spoke on 5 June.');
    const moved = envelopesOf([...seedArticleScenario(), moveClaim]);
    const doc = partyVersionsAsOf(moved, INCIDENT_ID, stated('2019-06-02'));
    expect(claimOf(doc, CLAIM.azDefence)).toBeUndefined();
    // The Karabakh army's denial of that claim is in: the army had said it by then.
    expect(partyOf(doc, PARTY.karabakhArmy)?.denialsMade.map((d) => d.denialId)).toEqual([DENIAL.karabakhArmy]);
    expect(claimHistoryAsOf(moved, INCIDENT_ID, CLAIM.azDefence, stated('2019-06-02'))).toBeUndefined();
    expect(claimHistoryAsOf(moved, INCIDENT_ID, CLAIM.azDefence, stated('2019-06-05'))?.currentVersion).toBe(2);
  });
});

describe('the present, by time travel', () => {
  const lastRecorded = log[log.length - 1].recordedAt;
  const presents: Array<[string, AsOf]> = [
    ['recorded, at the last event', recorded(lastRecorded)],
    ['recorded, long after', recorded('2100-01-01T00:00:00Z')],
    ['stated, after the last statement', stated('2019-06-02')],
    ['position, at the last event', { clock: 'position', position: log[log.length - 1].position }],
  ];

  it.each(presents)('%s: equals the projections folded over everything', (_name, asOf) => {
    expect(partyVersionsAsOf(log, INCIDENT_ID, asOf)).toEqual(currentVersions());
    const histories = currentHistories();
    for (const claimId of Object.values(CLAIM)) expect(claimHistoryAsOf(log, INCIDENT_ID, claimId, asOf)).toEqual(histories.get(claimId));
  });

  it('claim history without an as-of is the current one', () => {
    expect(claimHistoryAsOf(log, INCIDENT_ID, CLAIM.azDefence)).toEqual(currentHistories().get(CLAIM.azDefence));
  });

  it("ignores other incidents in the log, and refuses a claim through another incident's id", () => {
    const second = envelopesOf([
      ...seedArticleScenario(),
      incidentReported(OTHER_INCIDENT, {
        title: 'Shelling of a village',
        summary: 'A second incident.',
        location: { name: 'Tovuz', precision: 'district' },
      }),
    ]);
    expect(partyVersionsAsOf(second, INCIDENT_ID, recorded('2100-01-01T00:00:00Z'))).toEqual(currentVersions());
    expect(partyVersionsAsOf(second, OTHER_INCIDENT, recorded('2100-01-01T00:00:00Z'))?.parties).toEqual([]);
    expect(claimHistoryAsOf(second, OTHER_INCIDENT, CLAIM.azDefence)).toBeUndefined();
  });

  it('reports the log position an answer corresponds to', () => {
    expect(lastPositionOf(log)).toBe('15');
    expect(lastPositionOf([])).toBe('0');
  });
});
