import { DeciderSpecification } from '../testing/decider-specification';
import { amendEntry, entryAmended, incidentData, incidentReported, reportIncident } from '../testing/seed-article.fixtures';
import { fromStored } from '../event-registry';
import { incidentDecider } from './incident.decider';
import { ACLED_EVENT_TYPES, ACLED_SUB_EVENT_TYPES, ACLED_SUB_EVENT_TYPES_OF, IncidentCategory, IncidentEvent } from './incident.events';

const spec = DeciderSpecification.for(incidentDecider);

describe('ReportIncident', () => {
  it('opens the incident on the Karabakh line of contact', () => {
    spec.given([]).when(reportIncident()).then([incidentReported()]);
  });

  it('accepts an exact time range with offsets and coordinates at the limits', () => {
    const occurred = { from: '2019-05-31T22:00:00+04:00', to: '2019-06-01T06:00:00+04:00', precision: 'exact' as const };
    const location = { name: 'Line of contact', precision: 'approximate' as const, coordinates: { lat: -90, lon: 180 } };
    spec.given([]).when(reportIncident({ occurred, location })).then([incidentReported({ occurred, location })]);
  });

  it('refuses to report the same incident twice (conflict)', () => {
    spec
      .given([incidentReported()])
      .when(reportIncident())
      .thenThrows('incident-already-reported', { kind: 'conflict', field: 'incidentId' });
  });

  it('refuses an interval that ends before it starts', () => {
    spec
      .given([])
      .when(reportIncident({ occurred: { from: '2019-06-01', to: '2019-05-30', precision: 'day' } }))
      .thenThrows('invalid-interval', { kind: 'rule', field: 'occurred' });
  });

  it('compares interval ends as instants, not as text', () => {
    // 23:30 at +04:00 is 19:30 UTC, before 20:00 UTC, although it sorts after it as text.
    const occurred = { from: '2019-05-31T23:30:00+04:00', to: '2019-05-31T20:00:00Z', precision: 'exact' as const };
    spec.given([]).when(reportIncident({ occurred })).then([incidentReported({ occurred })]);
  });

  it.each([
    ['not a date', 'last Friday'],
    ['a day that does not exist', '2019-02-30'],
    ['a time without offset', '2019-05-31T22:00:00'],
  ])('refuses an interval end that is %s', (_, from) => {
    spec
      .given([])
      .when(reportIncident({ occurred: { ...incidentData.occurred, from } }))
      .thenThrows('invalid-time', { kind: 'rule', field: 'occurred.from' });
  });

  it.each([
    ['latitude above 90', { lat: 90.5, lon: 46.8 }, 'location.coordinates.lat'],
    ['latitude below -90', { lat: -91, lon: 46.8 }, 'location.coordinates.lat'],
    ['longitude above 180', { lat: 39.8, lon: 180.1 }, 'location.coordinates.lon'],
    ['longitude below -180', { lat: 39.8, lon: -200 }, 'location.coordinates.lon'],
    ['a latitude that is not a number', { lat: Number.NaN, lon: 46.8 }, 'location.coordinates.lat'],
  ])('refuses coordinates with %s', (_, coordinates, field) => {
    spec
      .given([])
      .when(reportIncident({ location: { ...incidentData.location, coordinates } }))
      .thenThrows('invalid-coordinates', { kind: 'rule', field });
  });

  it('refuses a blank title', () => {
    spec.given([]).when(reportIncident({ title: ' ' })).thenThrows('text-required', { kind: 'rule', field: 'title' });
  });

  it('refuses a place without a name', () => {
    spec
      .given([])
      .when(reportIncident({ location: { name: '', precision: 'region' } }))
      .thenThrows('text-required', { kind: 'rule', field: 'location.name' });
  });
});

describe('ReportIncident: ACLED categories with free tags, and a toll', () => {
  // A surface-to-air missile bringing down an airliner: ACLED has no "aircraft downing", the tag says it.
  const downing: IncidentCategory = { eventType: 'explosions-remote-violence', subEventType: 'shelling-artillery-missile-attack', tags: ['aircraft-downing'] };
  const toll = [
    { category: 'civilians' as const, nationality: 'NL', killed: { best: 196 } },
    { category: 'civilians' as const, nationality: 'MY', killed: { best: 43 } },
    { killed: { best: 298 } },
  ];

  it('reports an aircraft downing by its ACLED type and sub-event type, tagged, with the toll of passengers of no side', () => {
    spec.given([]).when(reportIncident({ category: { ...downing }, toll })).then([incidentReported({ category: { ...downing }, toll })]);
  });

  it('keeps each tag once, trimmed, first spelling kept', () => {
    const category = { eventType: 'battles' as const, tags: [' ceasefire-violation ', 'Ceasefire-Violation', 'night'] };
    spec.given([]).when(reportIncident({ category })).then([incidentReported({ category: { eventType: 'battles', tags: ['ceasefire-violation', 'night'] } })]);
  });

  it('refuses a category without an ACLED event type, and a sub-event type of another event type', () => {
    spec.given([]).when(reportIncident({ category: { tags: ['other'] } })).thenThrows('invalid-event-type', { kind: 'rule', field: 'category.eventType' });
    spec
      .given([])
      .when(reportIncident({ category: { eventType: 'battles', subEventType: 'air-drone-strike', tags: [] } }))
      .thenThrows('sub-event-type-mismatch', { kind: 'rule', field: 'category.subEventType' });
  });

  it('holds the toll to the casualty rules: a side must be a registered party, one report per group', () => {
    spec.given([]).when(reportIncident({ toll: [{ side: 'ghost-brigade', killed: { best: 1 } }] })).thenThrows('unknown-party', { kind: 'rule', field: 'toll[0].side' });
    spec.given([]).when(reportIncident({ toll: [{ killed: { best: 1 } }, { wounded: { best: 1 } }] })).thenThrows('duplicate-casualty-group', { kind: 'rule', field: 'toll[1]' });
  });

  it.each([
    ['armed-clash', { eventType: 'battles', subEventType: 'armed-clash', tags: [] }],
    ['shelling', { eventType: 'explosions-remote-violence', subEventType: 'shelling-artillery-missile-attack', tags: [] }],
    ['airstrike', { eventType: 'explosions-remote-violence', subEventType: 'air-drone-strike', tags: [] }],
    ['attack-on-civilians', { eventType: 'violence-against-civilians', subEventType: 'attack', tags: [] }],
    ['explosion', { eventType: 'explosions-remote-violence', tags: ['explosion'] }],
    ['ceasefire-violation', { tags: ['ceasefire-violation'] }],
    ['other', { tags: [] }],
  ])('reads an IncidentReported.v1 category %s as ACLED says it, or as a tag where ACLED has no counterpart', (v1, v2) => {
    const { toll: _none, ...v1Data } = { ...incidentData, category: v1 };
    expect(fromStored('IncidentReported.v1', v1Data)).toEqual({ type: 'IncidentReported', data: { ...v1Data, category: v2 } });
  });

  it('amends an upcast incident into the taxonomy, and its toll', () => {
    const v1 = fromStored('IncidentReported.v1', { ...incidentData, category: 'ceasefire-violation' }) as IncidentEvent;
    const changes = { category: { eventType: 'battles' as const, subEventType: 'armed-clash' as const, tags: ['ceasefire-violation'] }, toll: [{ killed: { best: 2 } }] };
    const amend = amendEntry({ incidentId: incidentData.incidentId, amendmentId: 'amend-category', entry: { kind: 'incident' }, changes, reason: 'Coded into ACLED types.' });
    spec.given([v1]).when(amend).then([entryAmended(amend.data)]);
  });
});

describe("ACLED's taxonomy as the ledger holds it", () => {
  it('nests every sub-event type under exactly one event type, as the codebook does', () => {
    const nested = ACLED_EVENT_TYPES.flatMap((type) => ACLED_SUB_EVENT_TYPES_OF[type]);
    expect([...nested].sort()).toEqual([...ACLED_SUB_EVENT_TYPES].sort());
    expect(new Set(nested).size).toBe(nested.length);
  });
});
