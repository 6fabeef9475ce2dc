import { assertedFields } from '../shared/assertions';
import { fold } from '../shared/decider';
import { DeciderSpecification } from '../testing/decider-specification';
import {
  amendEntry,
  article,
  azDefenceClaim,
  claimCorrected,
  claimDenied,
  claimMade,
  claimRetracted,
  denyClaim,
  entryAmended,
  incidentData,
  INCIDENT_ID,
  incidentReported,
  karabakhArmyClaim,
  karabakhDenial,
  PARTY,
} from '../testing/seed-article.fixtures';
import { incidentDecider } from './incident.decider';
import { EntryAmendedData, EntryChanges, EntryRef } from './incident.events';

const spec = DeciderSpecification.for(incidentDecider);

const corrected = claimCorrected({
  incidentId: INCIDENT_ID,
  claimId: azDefenceClaim.claimId,
  partyId: PARTY.azDefence,
  version: 2,
  assertions: { location: { name: 'Near the line of contact', precision: 'region' } },
  reason: 'The ministry named the place',
  statedAt: { at: '2019-05-31', precision: 'day' },
  source: article,
});
const retracted = claimRetracted({
  incidentId: INCIDENT_ID,
  claimId: karabakhArmyClaim.claimId,
  partyId: PARTY.karabakhArmy,
  reason: 'Withdrawn pending an inquiry',
  statedAt: { at: '2019-06-02', precision: 'day' },
  source: article,
});
const history = [
  incidentReported(),
  claimMade(azDefenceClaim),
  corrected,
  claimDenied(karabakhDenial),
  claimMade(karabakhArmyClaim),
  retracted,
];

const amendment = (entry: EntryRef, changes: EntryChanges, data: Partial<EntryAmendedData> = {}): EntryAmendedData => ({
  incidentId: INCIDENT_ID,
  amendmentId: 'amendment-1',
  entry,
  changes,
  reason: 'Transcription error: the recorder mistyped the source',
  ...data,
});

const azClaimV1: EntryRef = { kind: 'claim', claimId: azDefenceClaim.claimId, version: 1 };
const denialRef: EntryRef = { kind: 'denial', denialId: karabakhDenial.denialId };
const retractionRef: EntryRef = { kind: 'retraction', claimId: karabakhArmyClaim.claimId };

describe('AmendEntry', () => {
  describe('fixes a transcription mistake in', () => {
    it('the incident report (a typo in the title)', () => {
      const title = 'Deadly ceasefire violations on the Karabakh line of contact, May 2019';
      const data = amendment({ kind: 'incident' }, { title });
      spec.given(history).when(amendEntry(data)).then([entryAmended(data)]);
    });

    it('the words of a claim (the quote had the wrong verb)', () => {
      const text = 'One of its servicemen, Aqil Omarov, was shot dead by enemy fire near Karabakh.';
      const statement = { ...azDefenceClaim.statement, text };
      const data = amendment(azClaimV1, { statement });
      spec.given(history).when(amendEntry(data)).then([entryAmended(data)]);
    });

    it('a correction of a claim (version 2, the stated date)', () => {
      const data = amendment({ ...azClaimV1, version: 2 }, { statedAt: { at: '2019-06-01', precision: 'day' } });
      spec.given(history).when(amendEntry(data)).then([entryAmended(data)]);
    });

    it('a denial (which assertions it denies)', () => {
      const data = amendment(denialRef, { deniedAssertions: ['ceasefire', 'responsibleParties'] });
      spec.given(history).when(amendEntry(data)).then([entryAmended(data)]);
    });

    it('a retraction (its reason)', () => {
      const data = amendment(retractionRef, { reason: 'Withdrawn pending a military inquiry' });
      spec.given(history).when(amendEntry(data)).then([entryAmended(data)]);
    });
  });

  describe('amended assertions', () => {
    // The recorder typed a time interval the Karabakh army never gave.
    const { occurred, ...saidByArmy } = karabakhArmyClaim.assertions;
    const karabakhV1: EntryRef = { kind: 'claim', claimId: karabakhArmyClaim.claimId, version: 1 };
    const removeInterval = entryAmended(amendment(karabakhV1, { removedAssertions: ['occurred'] }));

    it('drop a field the party never asserted through removedAssertions', () => {
      expect(occurred).toBeDefined();
      const claim = fold(incidentDecider, [...history.slice(0, 5), removeInterval]).claims.get(karabakhArmyClaim.claimId);
      expect(claim?.assertions).toEqual(saidByArmy);
      expect(assertedFields(claim?.assertions ?? {})).toEqual(['responsibleParties', 'ceasefire', 'casualties']);
    });

    it('change what may be denied afterwards', () => {
      spec
        .given([...history.slice(0, 5), removeInterval])
        .when(
          denyClaim({
            denialId: 'denial-az',
            claimId: karabakhArmyClaim.claimId,
            partyId: PARTY.azDefence,
            deniedAssertions: ['occurred'],
          }),
        )
        .thenThrows('assertion-not-made', { kind: 'rule', field: 'deniedAssertions[0]' });
    });

    it('merge field by field, so fixing one field keeps the others', () => {
      const casualties = [{ side: PARTY.karabakhArmy, killed: { best: 2 } }];
      const claim = fold(incidentDecider, [...history.slice(0, 5), entryAmended(amendment(karabakhV1, { assertions: { casualties } }))]).claims.get(
        karabakhArmyClaim.claimId,
      );
      expect(claim?.assertions).toEqual({ ...karabakhArmyClaim.assertions, casualties });
    });

    it('of a correction change the claim\'s current assertions', () => {
      const location = { name: 'Tovuz district', precision: 'district' as const };
      const state = fold(incidentDecider, [
        ...history,
        entryAmended(amendment({ ...azClaimV1, version: 2 }, { assertions: { location } })),
      ]);
      expect(state.claims.get(azDefenceClaim.claimId)?.assertions).toEqual({ ...azDefenceClaim.assertions, location });
    });
  });

  it('refuses an amendment of an incident that has not been reported (not found)', () => {
    spec
      .given([])
      .when(amendEntry(amendment({ kind: 'incident' }, { title: 'x' })))
      .thenThrows('entry-not-found', { kind: 'not-found', field: 'entry' });
  });

  it('refuses an amendment addressed to another incident (not found)', () => {
    spec
      .given(history)
      .when(amendEntry(amendment({ kind: 'incident' }, { title: 'x' }, { incidentId: 'another-incident' })))
      .thenThrows('entry-not-found', { kind: 'not-found', field: 'entry' });
  });

  it.each<[string, EntryRef]>([
    ['a claim that does not exist', { kind: 'claim', claimId: 'claim-nobody-made', version: 1 }],
    ['a claim version not reached yet', { ...azClaimV1, version: 3 }],
    ['claim version 0', { ...azClaimV1, version: 0 }],
    ['a denial that does not exist', { kind: 'denial', denialId: 'denial-nobody-made' }],
    ['the retraction of a claim that is not retracted', { kind: 'retraction', claimId: azDefenceClaim.claimId }],
  ])('refuses to amend %s (not found)', (_, entry) => {
    spec
      .given(history)
      .when(amendEntry(amendment(entry, { source: { ...article, title: 'Corrected title' } })))
      .thenThrows('entry-not-found', { kind: 'not-found', field: 'entry' });
  });

  it('refuses an amendment id already used (conflict)', () => {
    const first = amendment({ kind: 'incident' }, { title: 'Deadly truce violations' });
    spec
      .given([...history, entryAmended(first)])
      .when(amendEntry({ ...first, changes: { summary: 'Both sides report a dead serviceman.' } }))
      .thenThrows('amendment-already-exists', { kind: 'conflict', field: 'amendmentId' });
  });

  it('refuses an amendment that changes no field', () => {
    spec
      .given(history)
      .when(amendEntry(amendment({ kind: 'incident' }, {})))
      .thenThrows('field-not-amendable', { kind: 'rule', field: 'changes' });
  });

  it.each<[string, EntryRef, EntryChanges, string]>([
    ['the words of an incident report', { kind: 'incident' }, { statement: azDefenceClaim.statement }, 'changes.statement'],
    ['the title of a claim', azClaimV1, { title: 'x' }, 'changes.title'],
    ['the assertions of a denial', denialRef, { assertions: {} }, 'changes.assertions'],
    ['the denied assertions of a retraction', retractionRef, { deniedAssertions: [] }, 'changes.deniedAssertions'],
    ['the reason of a claim', azClaimV1, { source: article, reason: 'x' }, 'changes.reason'],
  ])('refuses to amend %s', (_, entry, changes, field) => {
    spec.given(history).when(amendEntry(amendment(entry, changes))).thenThrows('field-not-amendable', { kind: 'rule', field });
  });

  it('refuses an amendment without a reason', () => {
    spec
      .given(history)
      .when(amendEntry(amendment({ kind: 'incident' }, { title: 'Deadly truce violations' }, { reason: ' ' })))
      .thenThrows('text-required', { kind: 'rule', field: 'reason' });
  });

  it.each<{ label: string; entry: EntryRef; changes: EntryChanges; code: string; field: string }>([
    { label: 'a blank title', entry: { kind: 'incident' }, changes: { title: '' }, code: 'text-required', field: 'changes.title' },
    {
      label: 'a reversed interval',
      entry: { kind: 'incident' },
      changes: { occurred: { from: '2019-06-02', to: '2019-06-01', precision: 'day' } },
      code: 'invalid-interval',
      field: 'changes.occurred',
    },
    {
      label: 'coordinates out of range',
      entry: { kind: 'incident' },
      changes: { location: { ...incidentData.location, coordinates: { lat: 39.8, lon: 246.8 } } },
      code: 'invalid-coordinates',
      field: 'changes.location.coordinates.lon',
    },
    {
      label: 'blank words',
      entry: azClaimV1,
      changes: { statement: { text: ' ', verbatim: true } },
      code: 'text-required',
      field: 'changes.statement.text',
    },
    {
      label: 'an invalid stated time',
      entry: azClaimV1,
      changes: { statedAt: { at: '2019-5-30', precision: 'day' } },
      code: 'invalid-time',
      field: 'changes.statedAt.at',
    },
    {
      label: 'an unregistered responsible party',
      entry: azClaimV1,
      changes: { assertions: { responsibleParties: ['armenian-army'] } },
      code: 'unknown-party',
      field: 'changes.assertions.responsibleParties[0]',
    },
    {
      label: 'an invalid estimate',
      entry: azClaimV1,
      changes: { assertions: { casualties: [{ side: PARTY.azDefence, killed: { best: -1 } }] } },
      code: 'invalid-estimate',
      field: 'changes.assertions.casualties[0].killed',
    },
    {
      label: 'a denied assertion the claim does not make',
      entry: denialRef,
      changes: { deniedAssertions: ['occurred'] },
      code: 'assertion-not-made',
      field: 'changes.deniedAssertions[0]',
    },
    { label: 'a blank retraction reason', entry: retractionRef, changes: { reason: '' }, code: 'text-required', field: 'changes.reason' },
  ])('refuses $label', ({ entry, changes, code, field }) => {
    spec.given(history).when(amendEntry(amendment(entry, changes))).thenThrows(code, { kind: 'rule', field });
  });

  it.each<[string, EntryRef, EntryChanges]>([
    ['the incident title', { kind: 'incident' }, { title: incidentData.title }],
    ['the words of a claim', azClaimV1, { statement: azDefenceClaim.statement }],
    ['the assertions of a correction', { ...azClaimV1, version: 2 }, { assertions: corrected.data.assertions }],
    ['the denied assertions', denialRef, { deniedAssertions: ['ceasefire'] }],
    ['the reason of a retraction', retractionRef, { reason: retracted.data.reason }],
  ])('refuses an amendment that repeats %s as it stands', (_, entry, changes) => {
    spec
      .given(history)
      .when(amendEntry(amendment(entry, changes)))
      .thenThrows('amendment-changes-nothing', { kind: 'rule', field: 'changes' });
  });

  it('compares with the entry as already amended', () => {
    const title = 'Deadly truce violations on the Karabakh line of contact';
    spec
      .given([...history, entryAmended(amendment({ kind: 'incident' }, { title }))])
      .when(amendEntry(amendment({ kind: 'incident' }, { title }, { amendmentId: 'amendment-2' })))
      .thenThrows('amendment-changes-nothing', { kind: 'rule', field: 'changes' });
  });
});
