import { DeciderSpecification } from '../testing/decider-specification';
import { incidentData, incidentReported, reportIncident } from '../testing/seed-article.fixtures';
import { incidentDecider } from './incident.decider';

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
