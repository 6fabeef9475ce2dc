import type { RecordedEvent } from '@ledger/event-store';
import { ProblemException } from '../../platform/problem/problem.exception';
import { FeedEntry } from './feed-entry';
import { FeedFilter } from './feed-filter';

const I1 = '11111111-1111-4111-8111-111111111111';
const I2 = '22222222-2222-4222-8222-222222222222';

const entry = (type: string, incidentId: string | undefined, parties: string[]): FeedEntry =>
  new FeedEntry(
    { eventId: 'e', type, streamName: incidentId ? `incident-${incidentId}` : 'party-p', revision: 0n, position: 1n, data: {}, metadata: {} } as RecordedEvent,
    'test',
    incidentId,
    new Set(parties),
  );

describe('FeedFilter', () => {
  it('passes everything without filters or scope', () => {
    const filter = new FeedFilter({});
    expect(filter.selective).toBe(false);
    expect(filter.needsParties).toBe(false);
    expect(filter.matches(entry('PartyRegistered.v1', undefined, ['p']))).toBe(true);
  });

  it('ORs the values of one filter and ANDs the filters', () => {
    const filter = new FeedFilter({ incidents: [I1, I2.toUpperCase()], types: ['ClaimMade.v1', 'ClaimDenied.v1'] });
    expect(filter.matches(entry('ClaimMade.v1', I1, []))).toBe(true);
    expect(filter.matches(entry('ClaimDenied.v1', I2, []))).toBe(true);
    expect(filter.matches(entry('IncidentReported.v1', I1, []))).toBe(false);
    expect(filter.matches(entry('ClaimMade.v1', undefined, []))).toBe(false);
  });

  it('matches a party filter on the parties the event concerns', () => {
    const filter = new FeedFilter({ parties: ['armenia', 'azerbaijan'] });
    expect(filter.needsParties).toBe(true);
    expect(filter.matches(entry('ClaimDenied.v1', I1, ['karabakh-defense-army', 'azerbaijan']))).toBe(true);
    expect(filter.matches(entry('ClaimDenied.v1', I1, ['karabakh-defense-army']))).toBe(false);
  });

  it('limits a scoped token to its incidents OR its parties', () => {
    const filter = new FeedFilter({}, { incidents: [I1], parties: ['armenia'] });
    expect(filter.selective).toBe(true);
    expect(filter.matches(entry('IncidentReported.v1', I1, []))).toBe(true);
    expect(filter.matches(entry('ClaimMade.v1', I2, ['armenia']))).toBe(true);
    expect(filter.matches(entry('ClaimMade.v1', I2, ['azerbaijan']))).toBe(false);
    expect(filter.matches(entry('PartyRegistered.v1', undefined, ['azerbaijan']))).toBe(false);
  });

  it('lets a scoped token narrow within its scope, and refuses a filter outside it with 403 naming the field', () => {
    const scope = { incidents: [I1], parties: ['armenia'] };
    expect(new FeedFilter({ incidents: [I1.toUpperCase()], parties: ['armenia'], types: ['ClaimMade.v1'] }, scope).selective).toBe(true);
    const refused = (selection: ConstructorParameters<typeof FeedFilter>[0], tokenScope = scope): ProblemException => {
      try {
        new FeedFilter(selection, tokenScope);
      } catch (error) {
        return error as ProblemException;
      }
      throw new Error('expected a refusal');
    };
    expect(refused({ incidents: [I1, I2] })).toMatchObject({ code: 'outside-token-scope', extensions: { field: 'incident', outside: [I2] } });
    expect(refused({ parties: ['azerbaijan'] }).extensions).toEqual({ field: 'party', outside: ['azerbaijan'] });
    expect(refused({ incidents: [I1] }, { parties: ['armenia'] } as never).getStatus()).toBe(403);
  });

  it('has the same key for filters that match the same events, whatever the order or case, and another for any other', () => {
    const key = (selection: ConstructorParameters<typeof FeedFilter>[0], scope?: ConstructorParameters<typeof FeedFilter>[1]) => new FeedFilter(selection, scope).key;
    expect(key({ incidents: [I1, I2], types: ['ClaimMade.v1', 'ClaimDenied.v1'] })).toBe(key({ incidents: [I2.toUpperCase(), I1], types: ['ClaimDenied.v1', 'ClaimMade.v1'] }));
    expect(key({})).toBe(key({ incidents: [], parties: [] }));
    const others = [
      key({}),
      key({ incidents: [I1] }),
      key({ parties: [I1] }),
      key({ types: [I1] }),
      key({}, { incidents: [I1], parties: [] }),
      key({}, { incidents: [], parties: [I1] }),
      key({ incidents: [I1] }, { incidents: [I1, I2], parties: [] }),
    ];
    expect(new Set(others).size).toBe(others.length);
  });
});
