import type { VersionsDoc } from './api-types';
import { mergeTimelinePages, mergeVersionsPages } from './entry-pages';

const claim = (claimId: string) => ({ claimId }) as never;
const denial = (denialId: string) => ({ denialId }) as never;
const page = (revision: string, parties: { partyId: string; claims: string[]; denials?: string[] }[], next: string | null, names: Record<string, string> = {}) =>
  ({
    revision,
    partyNames: names,
    disagreements: [],
    page: { limit: 2, after: null, next },
    parties: parties.map((p) => ({ partyId: p.partyId, currentAccount: { rev: revision }, claims: p.claims.map(claim), denialsMade: (p.denials ?? []).map(denial) })),
  }) as unknown as VersionsDoc;

describe('pages of a large incident, merged for the page', () => {
  it("keeps each party's claims and denials of every page, once, under the latest page's accounts and revision", () => {
    const merged = mergeVersionsPages([
      page('5', [{ partyId: 'a', claims: ['c1', 'c2'] }, { partyId: 'b', claims: [] }], '12', { a: 'A' }),
      page('6', [{ partyId: 'a', claims: ['c2'] }, { partyId: 'b', claims: ['c3'], denials: ['d1'] }, { partyId: 'c', claims: [] }], null, { b: 'B' }),
    ]);
    expect(merged.revision).toBe('6');
    expect(merged.page.next).toBeNull();
    expect(merged.partyNames).toEqual({ a: 'A', b: 'B' });
    expect(merged.parties.map((p) => [p.partyId, p.claims.map((c) => c.claimId), p.denialsMade.map((d) => d.denialId), (p.currentAccount as { rev: string }).rev])).toEqual([
      ['a', ['c1', 'c2'], [], '6'],
      ['b', ['c3'], ['d1'], '6'],
      ['c', [], [], '6'],
    ]);
  });

  it('joins timeline pages in order, an entry present twice kept once', () => {
    const entries = (ids: string[]) => ({ entries: ids.map((eventId) => ({ eventId })), page: { next: null } }) as never;
    expect(mergeTimelinePages([entries(['e1', 'e2']), entries(['e2', 'e3'])]).map((e) => e.eventId)).toEqual(['e1', 'e2', 'e3']);
  });
});
