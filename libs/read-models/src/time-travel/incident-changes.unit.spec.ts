import { readModelsOf } from '../testing/read-model-specification';
import { AMENDMENT, ANALYST, CLAIM, DENIAL, EDITOR, INCIDENT_ID, PARTY, amendment, envelopesOf, retraction, seedArticleEnvelopes, seedArticleScenario } from '../testing/seed-article.fixture';
import { AsOf, AsOfError } from './as-of';
import { IncidentChanges, incidentChanges } from './incident-changes';

const log = seedArticleEnvelopes();
const recorded = (at: string): AsOf => ({ clock: 'recorded', at });
const stated = (at: string): AsOf => ({ clock: 'stated', at });
const party = (changes: IncidentChanges, partyId: string) => changes.parties.find((p) => p.partyId === partyId);

describe('incidentChanges', () => {
  describe("between 09:09 and 09:14 on the article's day (recorded clock): the correction, Yerevan, Baku's denial, the mediators, the amendment", () => {
    const changes = incidentChanges(log, INCIDENT_ID, recorded('2019-06-03T09:09:30Z'), recorded('2019-06-03T09:14:00Z'));

    it('names the moments, the log positions they correspond to and the events in between', () => {
      expect(changes).toMatchObject({
        incidentId: INCIDENT_ID,
        from: { clock: 'recorded', at: '2019-06-03T09:09:30Z' },
        to: { clock: 'recorded', at: '2019-06-03T09:14:00Z' },
        fromPosition: '10',
        toPosition: '15',
      });
      expect(changes.eventIds).toEqual(log.slice(10).map((e) => e.eventId));
    });

    it("shows Baku's correction with version numbers and what it changed, field by field", () => {
      const az = party(changes, PARTY.azDefence)!;
      expect(az.claimsAdded).toEqual([]);
      expect(az.claimsCorrected).toHaveLength(1);
      const [correction] = az.claimsCorrected;
      expect(correction).toMatchObject({ claimId: CLAIM.azDefence, fromVersion: 1, toVersion: 2 });
      expect(correction.corrections).toEqual([
        expect.objectContaining({ version: 2, reason: 'The victim was identified.', recordedAt: '2019-06-03T09:10:00.000Z', recordedBy: ANALYST, position: '11' }),
      ]);
      expect(correction.changes).toEqual(
        expect.arrayContaining([
          {
            path: 'statement.text',
            from: 'One of its servicemen was shot and killed by enemy fire near Karabakh.',
            to: 'One of its servicemen, mid-ranking officer Aqil Omarov, was shot and killed by enemy fire near Karabakh.',
          },
          { path: 'assertions.casualties[0].named', from: null, to: [{ name: 'Aqil Omarov', role: 'mid-ranking officer', status: 'killed' }] },
          { path: 'statedAt.at', from: '2019-05-30', to: '2019-05-31' },
        ]),
      );
      expect(az.accountChanges).toEqual([
        { path: 'casualties[0].named', from: null, to: [{ name: 'Aqil Omarov', role: 'mid-ranking officer', status: 'killed' }] },
      ]);
      expect(az.before?.claims[0].version).toBe(1);
      expect(az.after?.claims[0].version).toBe(2);
      expect(az.entriesAmended).toEqual([]);
    });

    it("keeps the ledger's amendment apart, under the party whose entry it fixed, with what it changed", () => {
      const karabakh = party(changes, PARTY.karabakhArmy)!;
      expect(karabakh.claimsCorrected).toEqual([]);
      expect(karabakh.entriesAmended).toEqual([
        expect.objectContaining({
          amendmentId: AMENDMENT.karabakhFigure,
          entry: { kind: 'claim', claimId: CLAIM.karabakhArmy, version: 1 },
          reason: 'Typing error: the army reported one soldier killed.',
          changes: [{ path: 'assertions.casualties[0].killed.best', from: 2, to: 1 }],
          recordedBy: EDITOR,
          position: '15',
        }),
      ]);
      expect(karabakh.accountChanges).toEqual([{ path: 'casualties[0].killed.best', from: 2, to: 1 }]);
    });

    it('shows the claims added and the denials made and received, each under its party', () => {
      const yerevan = party(changes, PARTY.amForeign)!;
      expect(yerevan.before).toBeNull();
      expect(yerevan.claimsAdded).toEqual([
        expect.objectContaining({ claimId: CLAIM.amForeign, answers: [CLAIM.azForeign], statement: { text: 'escalating the situation', verbatim: true, language: 'en' }, position: '12' }),
      ]);
      expect(yerevan.denialsReceived).toEqual([{ denialId: DENIAL.azForeign, partyId: PARTY.azForeign, claimId: CLAIM.amForeign }]);
      expect(party(changes, PARTY.azForeign)?.denialsMade).toEqual([
        expect.objectContaining({ denialId: DENIAL.azForeign, claimId: CLAIM.amForeign, claimPartyId: PARTY.amForeign, deniedAssertions: [] }),
      ]);
      expect(party(changes, PARTY.minskGroup)?.claimsAdded.map((c) => c.claimId)).toEqual([CLAIM.minskGroup]);
    });

    it('lists only the parties whose version changed, in order of their first entry', () => {
      expect(changes.parties.map((p) => p.partyId)).toEqual([PARTY.azDefence, PARTY.azForeign, PARTY.karabakhArmy, PARTY.amForeign, PARTY.minskGroup]);
    });

    it("shows Yerevan's accusation and Baku's denial of it as points of disagreement that appeared", () => {
      expect(changes.disagreements.appeared.map((d) => [d.kind, d.field])).toEqual([['denial', 'claim']]);
      expect(changes.disagreements.disappeared).toEqual([]);
      // Yerevan's foreign ministry now blames Baku's military too: the same point, held by one more party.
      expect(changes.disagreements.changed.map((c) => c.after.field)).toEqual(['responsibleParties']);
      expect(changes.disagreements.changed[0].after.positions.map((p) => p.partyId)).toContain(PARTY.amForeign);
    });
  });

  it('shows the whole incident as added from before it was reported', () => {
    const changes = incidentChanges(log, INCIDENT_ID, recorded('2019-06-03T08:00:00Z'), recorded('2019-06-03T09:14:00Z'));
    expect(changes.incident.before).toBeNull();
    expect(changes.incident.after?.title).toBe('Deadly ceasefire violations on the Karabakh line of contact');
    expect(changes.parties.flatMap((p) => p.claimsAdded.map((c) => c.claimId))).toEqual([
      CLAIM.azDefence,
      CLAIM.azForeign,
      CLAIM.karabakhArmy,
      CLAIM.amForeign,
      CLAIM.minskGroup,
    ]);
    expect(changes.disagreements.appeared).toEqual(readModelsOf(log).partyVersions(INCIDENT_ID)?.disagreements);
    expect(changes.fromPosition).toBe('0');
  });

  it('works on the stated clock: between 30 and 31 May, Baku said its victim was an officer, and its foreign ministry spoke', () => {
    const changes = incidentChanges(log, INCIDENT_ID, stated('2019-05-30'), stated('2019-05-31'));
    expect(changes.parties.map((p) => p.partyId)).toEqual([PARTY.azDefence, PARTY.azForeign]);
    expect(party(changes, PARTY.azDefence)?.claimsCorrected.map((c) => [c.fromVersion, c.toVersion])).toEqual([[1, 2]]);
    expect(party(changes, PARTY.azForeign)?.claimsAdded.map((c) => c.claimId)).toEqual([CLAIM.azForeign]);
  });

  it('shows a retraction, and the disagreements it ends', () => {
    const withRetraction = envelopesOf([...seedArticleScenario(), retraction(CLAIM.amForeign, PARTY.amForeign, 'Withdrawn.', '2019-06-04')]);
    const changes = incidentChanges(withRetraction, INCIDENT_ID, { clock: 'position', position: 15n }, { clock: 'position', position: 16n });
    expect(party(changes, PARTY.amForeign)?.claimsRetracted).toEqual([expect.objectContaining({ claimId: CLAIM.amForeign, reason: 'Withdrawn.', position: '16' })]);
    // The denial of a withdrawn claim no longer stands.
    expect(changes.disagreements.disappeared.map((d) => d.kind)).toEqual(['denial']);
  });

  it("shows an amendment of the incident's own facts with what it changed", () => {
    const retitle = amendment('amendment-title', { kind: 'incident' }, { title: 'Ceasefire violations on the line of contact' }, 'Title typed from a draft.');
    const changes = incidentChanges(envelopesOf([...seedArticleScenario(), retitle]), INCIDENT_ID, { clock: 'position', position: 15n }, { clock: 'position', position: 16n });
    expect(changes.incident.amendments).toEqual([
      expect.objectContaining({
        amendmentId: 'amendment-title',
        changes: [{ path: 'title', from: 'Deadly ceasefire violations on the Karabakh line of contact', to: 'Ceasefire violations on the line of contact' }],
      }),
    ]);
    expect(changes.parties).toEqual([]);
  });

  it('has nothing between a moment and itself', () => {
    const changes = incidentChanges(log, INCIDENT_ID, { clock: 'position', position: 12n }, { clock: 'position', position: 12n });
    expect([changes.eventIds, changes.parties, changes.disagreements]).toEqual([[], [], { appeared: [], disappeared: [], changed: [] }]);
  });

  it('refuses from after to, and two clocks', () => {
    expect(() => incidentChanges(log, INCIDENT_ID, { clock: 'position', position: 12n }, { clock: 'position', position: 11n })).toThrow(
      expect.objectContaining({ name: 'AsOfError', field: 'from' }),
    );
    expect(() => incidentChanges(log, INCIDENT_ID, recorded('2019-06-03T09:00:00Z'), stated('2019-06-03'))).toThrow(AsOfError);
  });

  it('is plain JSON', () => {
    const changes = incidentChanges(log, INCIDENT_ID, { clock: 'position', position: 1n }, { clock: 'position', position: 15n });
    expect(JSON.parse(JSON.stringify(changes))).toEqual(changes);
    expect(changes.from).toEqual({ clock: 'position', position: '1' });
  });
});
