import { claimFieldsTable } from '../tables/ledger.tables';
import { FindOptions, TableAccess, TableSpec } from '../tables/table-spec';
import { ReadModelSpecification, readModelsOf } from '../testing/read-model-specification';
import { AMENDMENT, CLAIM, DENIAL, EDITOR, INCIDENT_ID, PARTY, ScenarioEntry, amendment, claimMade, envelopesOf, retraction, seedArticleScenario } from '../testing/seed-article.fixture';
import { PartyVersionsDoc, partyVersionsView } from './party-versions.view';

const AZ_MOD = 'Ministry of Defence of Azerbaijan';
const KDA = 'Defense Army of Nagorno-Karabakh';

const fold = (extra: ScenarioEntry[] = []): PartyVersionsDoc => {
  const doc = ReadModelSpecification.given(envelopesOf(seedArticleScenario()))
    .when(...envelopesOf([...seedArticleScenario(), ...extra]).slice(seedArticleScenario().length))
    .then((rm) => rm.partyVersions(INCIDENT_ID));
  if (!doc) throw new Error('no party-versions document');
  return doc;
};

const party = (doc: PartyVersionsDoc, partyId: string) => doc.parties.find((p) => p.partyId === partyId)!;
const claim = (doc: PartyVersionsDoc, claimId: string) => doc.parties.flatMap((p) => p.claims).find((c) => c.claimId === claimId)!;

const retractAzDefenceClaim = retraction(CLAIM.azDefence, PARTY.azDefence, 'Withdrawn pending an inquiry.', '2019-06-04');

describe('party-versions', () => {
  it('keeps one document per incident, with the incident facts and each party in order of its first entry', () => {
    const doc = fold();
    expect(doc.incident).toEqual({
      title: 'Deadly ceasefire violations on the Karabakh line of contact',
      summary: 'Each side reports a serviceman killed by the other side and blames it for the escalation.',
      category: { eventType: 'battles', subEventType: 'armed-clash', tags: ['ceasefire-violation'] },
      occurred: { from: '2019-05-30', to: '2019-06-01', precision: 'day' },
      location: { name: 'Line of contact, Nagorno-Karabakh', precision: 'region' },
      reportedAt: '2019-06-03T09:05:00.000Z',
      reportedBy: 'analyst:ani',
      amendedBy: [],
    });
    expect(doc.parties.map((p) => p.partyId)).toEqual([PARTY.azDefence, PARTY.azForeign, PARTY.karabakhArmy, PARTY.amForeign, PARTY.minskGroup]);
    expect([doc.lastPosition, doc.revision, doc.lastRecordedAt]).toEqual(['15', '9', '2019-06-03T09:14:00.000Z']);
  });

  it("shows a claim in current form after the party's correction, with the denials it received", () => {
    const c = claim(fold(), CLAIM.azDefence);
    expect(c).toMatchObject({
      version: 2,
      statement: { text: 'One of its servicemen, mid-ranking officer Aqil Omarov, was shot and killed by enemy fire near Karabakh.' },
      statedAt: { at: '2019-05-31', precision: 'day' },
      firstStatedAt: { at: '2019-05-30', precision: 'day' },
      recordedAt: '2019-06-03T09:06:00.000Z',
      retracted: false,
      retraction: null,
      answers: [],
    });
    expect(c.assertions).toEqual({
      responsibleParties: [PARTY.karabakhArmy],
      ceasefire: { violated: true, by: [PARTY.karabakhArmy] },
      casualties: [{ side: PARTY.azDefence, killed: { best: 1 }, named: [{ name: 'Aqil Omarov', role: 'mid-ranking officer', status: 'killed' }] }],
      occurred: { from: '2019-05-30', to: '2019-05-30', precision: 'day' },
    });
    expect(c.denials).toEqual([
      {
        denialId: DENIAL.karabakhArmy,
        partyId: PARTY.karabakhArmy,
        partyName: KDA,
        claimVersion: 1,
        deniedAssertions: ['ceasefire', 'responsibleParties'],
        statement: { text: 'did not breach the ceasefire at any section of "the line of contact"', verbatim: true, language: 'en' },
        statedAt: { at: '2019-06-01', precision: 'day' },
        active: true,
      },
    ]);
    // The denial saw version 1; the correction to version 2 has not been denied.
    expect(c.currentVersionDenied).toBe(false);
    expect(c.versions.map((v) => v.deniedBy)).toEqual([[DENIAL.karabakhArmy], []]);
    expect(c.versions.map((v) => [v.version, v.kind, v.reason ?? null, v.position])).toEqual([
      [1, 'made', null, '7'],
      [2, 'corrected', 'The victim was identified.', '11'],
    ]);
  });

  it("applies the ledger's amendment to the claim it fixes", () => {
    const c = claim(fold(), CLAIM.karabakhArmy);
    expect(c.assertions.casualties).toEqual([
      { side: PARTY.karabakhArmy, killed: { best: 1 }, named: [{ name: 'Sipan Melkonian', role: 'soldier', status: 'killed' }] },
    ]);
    expect(c.version).toBe(1);
    expect(c.versions[0].amendedBy).toEqual([AMENDMENT.karabakhFigure]);
    expect(fold().amendments).toEqual([
      {
        amendmentId: AMENDMENT.karabakhFigure,
        entry: { kind: 'claim', claimId: CLAIM.karabakhArmy, version: 1 },
        reason: 'Typing error: the army reported one soldier killed.',
        fields: ['assertions'],
        eventId: '00000000-0000-4000-8000-000000000015',
        recordedAt: '2019-06-03T09:14:00.000Z',
        recordedBy: EDITOR,
        position: '15',
      },
    ]);
  });

  it('lists the denials a party made, linked to the denied claim and its claimant', () => {
    const doc = fold();
    expect(party(doc, PARTY.karabakhArmy).denialsMade.map((d) => [d.denialId, d.claimId, d.claimPartyId, d.deniedAssertions, d.active])).toEqual([
      [DENIAL.karabakhArmy, CLAIM.azDefence, PARTY.azDefence, ['ceasefire', 'responsibleParties'], true],
    ]);
    expect(party(doc, PARTY.azForeign).denialsMade.map((d) => [d.denialId, d.claimId, d.claimPartyId, d.deniedAssertions])).toEqual([
      [DENIAL.azForeign, CLAIM.amForeign, PARTY.amForeign, []],
    ]);
  });

  it("merges each party's claims into a current account", () => {
    const doc = fold();
    expect(party(doc, PARTY.karabakhArmy).currentAccount).toMatchObject({
      responsibleParties: { value: [PARTY.azDefence], claimId: CLAIM.karabakhArmy, statedAt: { at: '2019-06-01', precision: 'day' } },
      ceasefire: { value: { violated: true, by: [PARTY.azDefence] }, claimId: CLAIM.karabakhArmy, statedAt: { at: '2019-06-01', precision: 'day' } },
      casualties: {
        value: [{ side: PARTY.karabakhArmy, killed: { best: 1 }, named: [{ name: 'Sipan Melkonian', role: 'soldier', status: 'killed' }] }],
        claimId: CLAIM.karabakhArmy,
        statedAt: { at: '2019-06-01', precision: 'day' },
      },
      occurred: { value: { from: '2019-05-31', to: '2019-06-01', precision: 'day' }, claimId: CLAIM.karabakhArmy, statedAt: { at: '2019-06-01', precision: 'day' } },
    });
    expect(Object.keys(party(doc, PARTY.karabakhArmy).currentAccount)).toEqual(['responsibleParties', 'ceasefire', 'casualties', 'occurred']);
    // Part by part, each with every standing claim and version behind it.
    expect(party(doc, PARTY.karabakhArmy).currentAccount.ceasefire?.parts).toEqual([
      { part: `by=${PARTY.azDefence}`, value: PARTY.azDefence, claimId: CLAIM.karabakhArmy, version: 1, claims: [{ claimId: CLAIM.karabakhArmy, version: 1 }], claimCount: 1, conflict: false },
      { part: 'violated', value: true, claimId: CLAIM.karabakhArmy, version: 1, claims: [{ claimId: CLAIM.karabakhArmy, version: 1 }], claimCount: 1, conflict: false },
    ]);
    expect(party(doc, PARTY.minskGroup).currentAccount).toEqual({});
  });

  it('lists the 20 latest stated claims behind a part and counts them all, however many stand behind it', () => {
    // 24 more claims of the Karabakh army blaming Azerbaijan, stated a day apart from June 2019.
    const more = Array.from({ length: 24 }, (_, i) =>
      claimMade(INCIDENT_ID, `claim-kda-${i}`, PARTY.karabakhArmy, {
        statedAt: { at: `2019-06-${String(i + 5).padStart(2, '0')}`, precision: 'day' },
        assertions: { responsibleParties: [PARTY.azDefence] },
      }),
    );
    const [blamed] = party(fold(more), PARTY.karabakhArmy).currentAccount.responsibleParties!.parts!;
    expect(blamed.part).toBe(PARTY.azDefence);
    expect(blamed.claimCount).toBe(25);
    expect(blamed.claims.map((c) => c.claimId)).toEqual(Array.from({ length: 20 }, (_, i) => `claim-kda-${23 - i}`));
    expect(blamed.claimId).toBe('claim-kda-23');
  });

  it('reads as many claim_fields rows for a page whatever the number of claims behind the parts', () => {
    const rowsRead = (claims: number): number => {
      const more = Array.from({ length: claims }, (_, i) =>
        claimMade(INCIDENT_ID, `claim-kda-${i}`, PARTY.karabakhArmy, {
          statedAt: { at: '2019-06-05', precision: 'day' },
          assertions: { responsibleParties: [PARTY.azDefence], ceasefire: { violated: true, by: [PARTY.azDefence] } },
        }),
      );
      const store = readModelsOf(envelopesOf([...seedArticleScenario(), ...more]));
      try {
        let rows = 0;
        const t = store.tables;
        const counting: TableAccess = {
          get: (table, key) => t.get(table, key),
          put: (table, row) => t.put(table, row),
          delete: (table, key) => t.delete(table, key),
          find: <R extends object>(table: TableSpec<R>, where: Partial<R>, options?: FindOptions<R>) => {
            const found = t.find(table, where, options);
            if ((table as unknown) === claimFieldsTable) rows += found.length;
            return found;
          },
        };
        expect(partyVersionsView(counting, INCIDENT_ID, { limit: 10 })).toBeDefined();
        return rows;
      } finally {
        store.close();
      }
    };
    // Before, every standing claim behind every part was read (and listed): 30 claims more, 90 rows more.
    expect(rowsRead(60)).toBe(rowsRead(30));
  });

  it('finds where the versions of the seed article disagree', () => {
    const summary = fold().disagreements.map((d) => ({ kind: d.kind, field: d.field, parties: d.positions.map((p) => `${p.role ?? 'says'}:${p.partyId}`) }));
    expect(summary).toEqual([
      {
        kind: 'responsible-parties',
        field: 'responsibleParties',
        parties: [`says:${PARTY.azDefence}`, `says:${PARTY.karabakhArmy}`, `says:${PARTY.amForeign}`],
      },
      { kind: 'ceasefire', field: 'ceasefire', parties: [`says:${PARTY.azDefence}`, `says:${PARTY.karabakhArmy}`] },
      { kind: 'occurred', field: 'occurred', parties: [`says:${PARTY.azDefence}`, `says:${PARTY.karabakhArmy}`] },
      { kind: 'denial', field: 'ceasefire,responsibleParties', parties: [`claimant:${PARTY.azDefence}`, `denier:${PARTY.karabakhArmy}`] },
      { kind: 'denial', field: 'claim', parties: [`claimant:${PARTY.amForeign}`, `denier:${PARTY.azForeign}`] },
    ]);
    expect(fold().disagreements[1].positions).toEqual([
      { partyId: PARTY.azDefence, partyName: AZ_MOD, claimId: CLAIM.azDefence, value: { violated: true, by: [PARTY.karabakhArmy] } },
      { partyId: PARTY.karabakhArmy, partyName: KDA, claimId: CLAIM.karabakhArmy, value: { violated: true, by: [PARTY.azDefence] } },
    ]);
  });

  it('names every party beside its id, and lists every party the document mentions', () => {
    const doc = fold();
    expect(doc.parties.map((p) => [p.partyId, p.partyName])).toEqual(doc.parties.map((p) => [p.partyId, doc.partyNames[p.partyId]]));
    expect(party(doc, PARTY.karabakhArmy)).toMatchObject({ partyName: KDA });
    expect(party(doc, PARTY.karabakhArmy).denialsMade[0]).toMatchObject({ partyName: KDA, claimPartyId: PARTY.azDefence, claimPartyName: AZ_MOD });
    expect(claim(doc, CLAIM.azDefence)).toMatchObject({ partyName: AZ_MOD });
    expect(Object.keys(doc.partyNames)).toEqual(Object.keys(doc.partyNames).sort());
    expect(doc.partyNames[PARTY.minskGroup]).toBe('OSCE Minsk Group Co-Chairs');
  });

  it('drops a retracted claim from the disagreements but keeps it visible, marked retracted', () => {
    const doc = fold([retractAzDefenceClaim]);
    const c = claim(doc, CLAIM.azDefence);
    expect(c.retracted).toBe(true);
    expect(c.retraction).toMatchObject({
      reason: 'Withdrawn pending an inquiry.',
      statedAt: { at: '2019-06-04', precision: 'day' },
      recordedAt: '2019-06-03T09:15:00.000Z',
      position: '16',
    });
    expect(c.denials[0].active).toBe(false);
    expect(party(doc, PARTY.karabakhArmy).denialsMade[0].active).toBe(false);
    expect(party(doc, PARTY.azDefence).currentAccount).toEqual({});
    // The Karabakh army and Yerevan now blame the same party, and no one else dates the incident or names a violator.
    expect(doc.disagreements.map((d) => [d.kind, d.field])).toEqual([['denial', 'claim']]);
  });

  it('lets a later claim of the same party supersede a field and finds conflicting casualty figures', () => {
    const doc = fold([
      claimMade(INCIDENT_ID, 'claim-az-defence-losses', PARTY.azDefence, {
        statement: { text: 'The enemy lost at least three soldiers.', verbatim: false },
        statedAt: { at: '2019-06-02', precision: 'day' },
        answers: [CLAIM.karabakhArmy],
        assertions: { casualties: [{ side: PARTY.karabakhArmy, killed: { best: 3, low: 3, high: 5 } }] },
      }),
    ]);
    const account = party(doc, PARTY.azDefence).currentAccount;
    expect(account.casualties?.claimId).toBe('claim-az-defence-losses');
    expect(account.responsibleParties?.claimId).toBe(CLAIM.azDefence);
    expect(doc.disagreements.find((d) => d.kind === 'casualties')).toEqual({
      kind: 'casualties',
      field: `casualties[side=${PARTY.karabakhArmy}].killed`,
      side: PARTY.karabakhArmy,
      figure: 'killed',
      positions: [
        { partyId: PARTY.azDefence, partyName: AZ_MOD, claimId: 'claim-az-defence-losses', value: { best: 3, low: 3, high: 5 } },
        { partyId: PARTY.karabakhArmy, partyName: KDA, claimId: CLAIM.karabakhArmy, value: { best: 1 } },
      ],
    });
  });

  it('applies ledger amendments of the incident, a denial and a retraction', () => {
    const doc = fold([
      retractAzDefenceClaim,
      amendment('amend-title', { kind: 'incident' }, { title: 'Deadly truce violations on the Karabakh line of contact' }, 'Title mistyped.'),
      amendment('amend-denial', { kind: 'denial', denialId: DENIAL.azForeign }, { statedAt: { at: '2019-06-01', precision: 'day' } }, 'Date mistyped.'),
      amendment('amend-retraction', { kind: 'retraction', claimId: CLAIM.azDefence }, { reason: 'Withdrawn pending a military inquiry.' }, 'Reason abridged.'),
    ]);
    expect(doc.incident).toMatchObject({ title: 'Deadly truce violations on the Karabakh line of contact', amendedBy: ['amend-title'] });
    expect(party(doc, PARTY.azForeign).denialsMade[0]).toMatchObject({ statedAt: { at: '2019-06-01', precision: 'day' }, amendedBy: ['amend-denial'] });
    expect(claim(doc, CLAIM.amForeign).denials[0].statedAt).toEqual({ at: '2019-06-01', precision: 'day' });
    expect(claim(doc, CLAIM.azDefence).retraction).toMatchObject({ reason: 'Withdrawn pending a military inquiry.', amendedBy: ['amend-retraction'] });
    expect(doc.amendments.map((a) => a.amendmentId)).toEqual([AMENDMENT.karabakhFigure, 'amend-title', 'amend-denial', 'amend-retraction']);
  });

  it('ignores party registrations', () => {
    const rm = ReadModelSpecification.given().when(...envelopesOf(seedArticleScenario().slice(0, 5))).then((r) => r.dump());
    expect([rm.incidents, rm.claims, rm.party_positions]).toEqual([[], [], []]);
    expect(rm.parties).toHaveLength(5);
  });
});
