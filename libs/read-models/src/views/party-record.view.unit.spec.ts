import { ReadModelSpecification } from '../testing/read-model-specification';
import { CLAIM, DENIAL, INCIDENT_ID, PARTY, ScenarioEntry, amendment, article, claimMade, envelopesOf, incidentEntry, incidentReported, retraction, seedArticleScenario } from '../testing/seed-article.fixture';
import { MAX_ENTRIES_LIMIT } from './entries-page';
import { LISTED_RECORD_MAX_ENTRIES, LISTED_RECORD_MAX_INCIDENTS, PartyIncidentRecord, PartyRecordDoc, RECORD_PAGE_MAX_ENTRIES, WHOLE_RECORD_MAX_INCIDENTS } from './party-record.view';

const incidentIdOf = (i: number): string => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

/** An incident reported and claimed by one party, as many times as asked. */
const history = (partyId: string, incidents: number): ScenarioEntry[] =>
  Array.from({ length: incidents }, (_, i) => [
    incidentReported(incidentIdOf(i), { title: `Incident ${i}`, summary: 'Shelling.' }),
    claimIn(incidentIdOf(i), `claim-${i}`, partyId),
  ]).flat();

const claimIn = (incidentId: string, claimId: string, partyId: string): ScenarioEntry =>
  claimMade(incidentId, claimId, partyId, {
    statement: { text: 'Villages came under fire from the other side overnight.', verbatim: false },
    assertions: { responsibleParties: [PARTY.karabakhArmy] },
  });

const records = (extra: ScenarioEntry[] = []): Map<string, PartyRecordDoc> =>
  ReadModelSpecification.given()
    .when(...envelopesOf([...seedArticleScenario(), ...extra]))
    .then((rm) => new Map(rm.listPartyRecords({ limit: 500 }).items.map((doc) => [doc.partyId, doc])));

const SECOND_INCIDENT = '0c5d7a2e-8f3b-4b1a-9e6d-2019060400b2';

describe('party-record', () => {
  it('shows the kind and the free description a party was registered with (PartyRegistered.v2), null for v1 parties', () => {
    const maker: ScenarioEntry = {
      streamName: 'party-missile-maker',
      recordedBy: 'analyst:ani',
      event: { type: 'PartyRegistered', data: { partyId: 'missile-maker', name: 'Missile Maker JSC', kind: 'company', description: 'State-owned manufacturer', aliases: [] } },
    };
    const docs = records([maker]);
    expect(docs.get('missile-maker')).toMatchObject({ registered: true, kind: 'company', description: 'State-owned manufacturer' });
    expect(docs.get(PARTY.karabakhArmy)?.description).toBeNull();
  });

  it('keeps one document per party with its registration facts', () => {
    const docs = records();
    expect([...docs.keys()]).toEqual([PARTY.azDefence, PARTY.azForeign, PARTY.karabakhArmy, PARTY.amForeign, PARTY.minskGroup].sort());
    expect(docs.get(PARTY.karabakhArmy)).toMatchObject({
      partyId: PARTY.karabakhArmy,
      registered: true,
      name: 'Defense Army of Nagorno-Karabakh',
      kind: 'armed-force',
      affiliation: { description: 'Armenian-backed' },
      aliases: ['Karabakh Defense Army'],
      registeredAt: '2019-06-03T09:02:00.000Z',
    });
  });

  it('lists per incident the claims a party made and the denials it made', () => {
    const doc = records().get(PARTY.karabakhArmy)!;
    expect(doc.incidents).toHaveLength(1);
    const incident = doc.incidents[0];
    expect(incident.incidentId).toBe(INCIDENT_ID);
    expect(incident.title).toBe('Deadly ceasefire violations on the Karabakh line of contact');
    expect(incident.claims.map((c) => [c.claimId, c.version, c.statedAt.at, c.answers, c.retracted, c.position])).toEqual([
      [CLAIM.karabakhArmy, 1, '2019-06-01', [CLAIM.azDefence], false, '10'],
    ]);
    expect(incident.denialsMade).toEqual([
      {
        denialId: DENIAL.karabakhArmy,
        claimId: CLAIM.azDefence,
        claimPartyId: PARTY.azDefence,
        claimPartyName: 'Ministry of Defence of Azerbaijan',
        partyId: PARTY.karabakhArmy,
        partyName: 'Defense Army of Nagorno-Karabakh',
        claimVersion: 1,
        deniedAssertions: ['ceasefire', 'responsibleParties'],
        statedAt: { at: '2019-06-01', precision: 'day' },
        eventId: '00000000-0000-4000-8000-000000000009',
        recordedAt: '2019-06-03T09:08:00.000Z',
        recordedBy: 'analyst:ani',
        position: '9',
      },
    ]);
    expect(incident.denialsReceived).toEqual([]);
    expect(doc.counts).toEqual({ incidents: 1, claims: 1, corrections: 0, retractions: 0, denialsMade: 1, denialsReceived: 0 });
  });

  it('lists the corrections a party made and the denials it received', () => {
    const doc = records().get(PARTY.azDefence)!;
    const incident = doc.incidents[0];
    expect(incident.claims[0]).toMatchObject({
      claimId: CLAIM.azDefence,
      version: 2,
      statementVersion: 2,
      statement: { text: 'One of its servicemen, mid-ranking officer Aqil Omarov, was shot and killed by enemy fire near Karabakh.' },
      // statedAt means what it means in every response: when the current version was stated.
      statedAt: { at: '2019-05-31', precision: 'day' },
      firstStatedAt: { at: '2019-05-30', precision: 'day' },
    });
    expect(incident.claims[0]).not.toHaveProperty('lastStatedAt');
    expect(incident.corrections).toEqual([
      {
        claimId: CLAIM.azDefence,
        version: 2,
        reason: 'The victim was identified.',
        statedAt: { at: '2019-05-31', precision: 'day' },
        eventId: '00000000-0000-4000-8000-000000000011',
        recordedAt: '2019-06-03T09:10:00.000Z',
        recordedBy: 'analyst:ani',
        position: '11',
      },
    ]);
    expect(incident.denialsReceived.map((d) => [d.denialId, d.partyId, d.claimId, d.deniedAssertions])).toEqual([
      [DENIAL.karabakhArmy, PARTY.karabakhArmy, CLAIM.azDefence, ['ceasefire', 'responsibleParties']],
    ]);
    expect(doc.counts).toEqual({ incidents: 1, claims: 1, corrections: 1, retractions: 0, denialsMade: 0, denialsReceived: 1 });
  });

  it('records retractions, follows amendments to the entries they fix and spans incidents', () => {
    const docs = records([
      retraction(CLAIM.amForeign, PARTY.amForeign, 'Superseded.', '2019-06-05'),
      amendment('amend-title', { kind: 'incident' }, { title: 'Deadly truce violations on the Karabakh line of contact' }, 'Title mistyped.'),
      amendment(
        'amend-statement',
        { kind: 'claim', claimId: CLAIM.azDefence, version: 1 },
        { statement: { text: 'One of its servicemen was killed by enemy fire near Karabakh.', verbatim: false } },
        'Quote mistyped.',
      ),
      amendment('amend-denial', { kind: 'denial', denialId: DENIAL.karabakhArmy }, { deniedAssertions: ['ceasefire'] }, 'Only the ceasefire was denied.'),
      incidentReported(SECOND_INCIDENT),
      claimMade(SECOND_INCIDENT, 'claim-tovuz', PARTY.azDefence),
    ]);
    const amForeign = docs.get(PARTY.amForeign)!;
    expect(amForeign.incidents[0].title).toBe('Deadly truce violations on the Karabakh line of contact');
    expect(amForeign.incidents[0].claims[0].retracted).toBe(true);
    expect(amForeign.incidents[0].retractions.map((r) => [r.claimId, r.reason, r.statedAt.at])).toEqual([[CLAIM.amForeign, 'Superseded.', '2019-06-05']]);
    expect(amForeign.counts.retractions).toBe(1);

    const azDefence = docs.get(PARTY.azDefence)!;
    // Version 2 restated the words, so amending version 1's words leaves the current words alone.
    expect(azDefence.incidents[0].claims[0].statement.text).toBe(
      'One of its servicemen, mid-ranking officer Aqil Omarov, was shot and killed by enemy fire near Karabakh.',
    );
    expect(azDefence.incidents[0].denialsReceived[0].deniedAssertions).toEqual(['ceasefire']);
    expect(docs.get(PARTY.karabakhArmy)!.incidents[0].denialsMade[0].deniedAssertions).toEqual(['ceasefire']);
    expect(azDefence.incidents.map((i) => [i.incidentId, i.title])).toEqual([
      [INCIDENT_ID, 'Deadly truce violations on the Karabakh line of contact'],
      [SECOND_INCIDENT, 'Shelling near Tovuz'],
    ]);
    expect(azDefence.counts).toEqual({ incidents: 2, claims: 2, corrections: 1, retractions: 0, denialsMade: 0, denialsReceived: 1 });
    // The title amendment reaches every party of the incident, including those only the index links to it.
    expect(docs.get(PARTY.minskGroup)!.incidents[0].title).toBe('Deadly truce violations on the Karabakh line of contact');
  });

  it('lists the party’s incidents in order of its first entry in each, whatever the incident’s own order', () => {
    const doc = ReadModelSpecification.given()
      .when(...envelopesOf([...seedArticleScenario(), ...history(PARTY.azDefence, 2)]))
      .then((rm) => rm.partyRecord(PARTY.azDefence)!);
    expect(doc.incidents.map((i) => i.incidentId)).toEqual([INCIDENT_ID, incidentIdOf(0), incidentIdOf(1)]);
    expect(Object.keys(doc)).toEqual(['partyId', 'registered', 'name', 'kind', 'description', 'affiliation', 'aliases', 'registeredAt', 'incidents', 'counts', 'lastPosition']);
  });

  it('a record unasked for stays bounded: past the bound a party comes as its first page, with the counts of the whole record', () => {
    const { listed, single, whole } = ReadModelSpecification.given()
      .when(...envelopesOf([...seedArticleScenario(), ...history(PARTY.azDefence, LISTED_RECORD_MAX_INCIDENTS)]))
      .then((rm) => ({
        listed: new Map(rm.listPartyRecords({ limit: 500 }).items.map((doc) => [doc.partyId, doc])),
        single: rm.partyRecord(PARTY.azDefence)!,
        whole: rm.partyRecord(PARTY.azDefence, { limit: MAX_ENTRIES_LIMIT })!,
      }));
    const spoke = LISTED_RECORD_MAX_INCIDENTS + 1;
    // In GET /parties: the first LISTED_RECORD_MAX_INCIDENTS incidents and the cursor to the rest; a small record whole.
    const big = listed.get(PARTY.azDefence)!;
    expect(big.incidents.map((i) => i.incidentId)).toEqual(whole.incidents.slice(0, LISTED_RECORD_MAX_INCIDENTS).map((i) => i.incidentId));
    expect(big.page).toEqual({ limit: LISTED_RECORD_MAX_INCIDENTS, after: null, next: whole.incidents[LISTED_RECORD_MAX_INCIDENTS - 1].claims[0].position });
    expect(big.counts.incidents).toBe(spoke);
    expect(listed.get(PARTY.karabakhArmy)).not.toHaveProperty('page');
    // GET /parties/{id} alone: whole up to WHOLE_RECORD_MAX_INCIDENTS.
    expect(single).not.toHaveProperty('page');
    expect(single.incidents).toHaveLength(spoke);
  });

  it('GET /parties/{id} with neither limit nor after: a party past WHOLE_RECORD_MAX_INCIDENTS comes as its first page of that many', () => {
    const doc = ReadModelSpecification.given()
      .when(...envelopesOf(history(PARTY.azDefence, WHOLE_RECORD_MAX_INCIDENTS + 1)))
      .then((rm) => rm.partyRecord(PARTY.azDefence)!);
    expect(doc.incidents).toHaveLength(WHOLE_RECORD_MAX_INCIDENTS);
    expect(doc.page).toMatchObject({ limit: WHOLE_RECORD_MAX_INCIDENTS, after: null, next: expect.any(String) });
    expect(doc.counts.incidents).toBe(WHOLE_RECORD_MAX_INCIDENTS + 1);
  });

  describe('a party that spoke thousands of times in one incident', () => {
    const P = PARTY.azDefence;
    const Q = PARTY.karabakhArmy;
    const [small, big, after] = [incidentIdOf(901), incidentIdOf(902), incidentIdOf(903)];
    const bigClaims = RECORD_PAGE_MAX_ENTRIES + 150;
    const claimId = (i: number) => `big-${String(i).padStart(5, '0')}`;
    const correction = (id: string, text: string): ScenarioEntry =>
      incidentEntry({
        type: 'ClaimCorrected',
        data: { incidentId: big, claimId: id, partyId: P, version: 2, statement: { text, verbatim: false }, reason: 'A later count.', statedAt: { at: '2019-06-05', precision: 'day' }, source: article },
      });
    const denial = (denialId: string, of: string, by: string, ofParty: string): ScenarioEntry =>
      incidentEntry({
        type: 'ClaimDenied',
        data: { incidentId: big, denialId, claimId: of, claimPartyId: ofParty, partyId: by, statement: { text: 'Not true.', verbatim: false }, deniedAssertions: ['responsibleParties'], statedAt: { at: '2019-06-05', precision: 'day' }, source: article, claimVersion: 1 },
      });
    const scenario: ScenarioEntry[] = [
      ...[small, big, after].map((id, i) => incidentReported(id, { title: `Incident ${i}`, summary: 'Shelling.' })),
      ...[0, 1, 2].map((i) => claimIn(small, `small-${i}`, P)),
      claimIn(big, 'q-claim', Q),
      ...Array.from({ length: bigClaims }, (_, i) => claimIn(big, claimId(i), P)),
      denial('d-made', 'q-claim', P, Q),
      ...[3, 700].map((i) => denial(`d-received-${i}`, claimId(i), Q, P)),
      retraction(claimId(5), P, 'Withdrawn.', '2019-06-06', big),
      // The first claim corrected after every other entry: its words on the first page come from a later version.
      correction(claimId(0), 'Two servicemen were killed, not one.'),
      ...[0, 1].map((i) => claimIn(after, `after-${i}`, P)),
    ];
    const entriesOf = (i: PartyIncidentRecord) => i.claims.length + i.corrections.length + i.retractions.length + i.denialsMade.length + i.denialsReceived.length;

    it('comes a page of at most RECORD_PAGE_MAX_ENTRIES entries at a time, the pages together the whole record once, in order', () => {
      const pages = ReadModelSpecification.given()
        .when(...envelopesOf(scenario))
        .then((rm) => {
          const read: PartyRecordDoc[] = [rm.partyRecord(P)!];
          while (read[read.length - 1].page?.next) read.push(rm.partyRecord(P, { limit: 2, after: read[read.length - 1].page!.next! })!);
          return read;
        });
      // Unasked for, the record is too big to come whole: its first page, with the whole record's counts.
      expect(pages[0].page).toMatchObject({ limit: WHOLE_RECORD_MAX_INCIDENTS, after: null, next: expect.stringMatching(new RegExp(`^\\d+\\.${big}\\.\\d+$`)) });
      expect(pages[0].counts).toEqual({ incidents: 3, claims: 3 + bigClaims + 2, corrections: 1, retractions: 1, denialsMade: 1, denialsReceived: 2 });
      expect(pages).toHaveLength(2);
      for (const page of pages) expect(page.incidents.reduce((n, i) => n + entriesOf(i), 0)).toBeLessThanOrEqual(RECORD_PAGE_MAX_ENTRIES);
      expect(pages.map((page) => page.incidents.map((i) => i.incidentId))).toEqual([
        [small, big],
        [big, after],
      ]);
      const all = (of: (i: PartyIncidentRecord) => unknown[]) => pages.flatMap((page) => page.incidents.flatMap(of));
      expect(all((i) => i.claims.map((c) => c.claimId))).toEqual([0, 1, 2].map((i) => `small-${i}`).concat(Array.from({ length: bigClaims }, (_, i) => claimId(i)), ['after-0', 'after-1']));
      expect(all((i) => i.denialsMade.map((d) => d.denialId))).toEqual(['d-made']);
      expect(all((i) => i.denialsReceived.map((d) => d.denialId))).toEqual(['d-received-3', 'd-received-700']);
      expect(all((i) => i.retractions.map((r) => r.claimId))).toEqual([claimId(5)]);
      expect(all((i) => i.corrections.map((c) => [c.claimId, c.version]))).toEqual([[claimId(0), 2]]);
      const first = pages[0].incidents[1].claims[0];
      expect(first).toMatchObject({ claimId: claimId(0), version: 2, statementVersion: 2, statement: { text: 'Two servicemen were killed, not one.' } });
    });

    it('in GET /parties, at most LISTED_RECORD_MAX_ENTRIES entries of it, with the cursor to the rest', () => {
      const listed = ReadModelSpecification.given()
        .when(...envelopesOf(scenario))
        .then((rm) => rm.listPartyRecords({ limit: 500 }).items.find((doc) => doc.partyId === P)!);
      expect(listed.incidents.map((i) => i.incidentId)).toEqual([small, big]);
      expect(listed.incidents.reduce((n, i) => n + entriesOf(i), 0)).toBe(LISTED_RECORD_MAX_ENTRIES);
      expect(listed.page).toEqual({ limit: LISTED_RECORD_MAX_INCIDENTS, after: null, next: expect.stringContaining(`.${big}.`) });
    });

    it('refuses a cursor that is not one a page gave', () => {
      ReadModelSpecification.given()
        .when(...envelopesOf(scenario))
        .then((rm) => {
          for (const after of [`1.${big}`, `1.${big}.`, `1.not-an-id.5`, `99999999999999999999.${big}.1`, `1.${big}.99999999999999999999`]) {
            expect(() => rm.partyRecord(P, { after })).toThrow('after must be');
          }
        });
    });
  });
});
