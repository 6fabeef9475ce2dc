import fc from 'fast-check';
import { LedgerEnvelope } from '../envelope';
import { SPLIT_OFF, SURVIVOR, ledgerOpArb, ledgerOpEntries, mergedSeedScenario, splitSeedScenario } from '../testing/ledger-operations.fixture';
import { INCIDENT_ID, envelopesOf, seedArticleScenario } from '../testing/seed-article.fixture';
import { InvalidPageError } from '../views/entries-page';
import { AsOf } from './as-of';
import { IncidentChanges, IncidentChangesPage, PartyChanges, incidentChanges } from './incident-changes';

type ListName = 'claimsAdded' | 'claimsCorrected' | 'claimsRetracted' | 'denialsMade' | 'denialsReceived' | 'entriesAmended';
const LISTS: ListName[] = ['claimsAdded', 'claimsCorrected', 'claimsRetracted', 'denialsMade', 'denialsReceived', 'entriesAmended'];
const sortedJson = (items: unknown[]): string[] => items.map((i) => JSON.stringify(i)).sort();

/** Every page of the changes, each asked for with the previous page's `next`. */
const pagesOf = (envelopes: LedgerEnvelope[], incidentId: string, from: AsOf, to: AsOf, limit: number): IncidentChangesPage[] => {
  const pages: IncidentChangesPage[] = [];
  let after: string | undefined;
  do {
    const page = incidentChanges(envelopes, incidentId, from, to, { limit, ...(after !== undefined ? { after } : {}) });
    pages.push(page);
    after = page.page.next ?? undefined;
  } while (after !== undefined && pages.length <= envelopes.length);
  return pages;
};

const entriesListed = (p: PartyChanges): string[] =>
  [p.before, p.after].flatMap((v) => [...(v?.claims.map((c) => `claim:${c.claimId}`) ?? []), ...(v?.denialsMade.map((d) => `denial:${d.denialId}`) ?? [])]);

/** The pages, put together, are the whole answer: each change on exactly one page, what is whole the same on every page. */
const expectPagesMakeWhole = (envelopes: LedgerEnvelope[], incidentId: string, from: AsOf, to: AsOf, limit: number): void => {
  const whole: IncidentChanges = incidentChanges(envelopes, incidentId, from, to);
  const pages = pagesOf(envelopes, incidentId, from, to, limit);
  expect(pages[pages.length - 1].page.next).toBeNull();
  for (const page of pages) {
    expect(page.incident).toEqual(whole.incident);
    expect(page.disagreements).toEqual(whole.disagreements);
    expect([page.fromPosition, page.toPosition]).toEqual([whole.fromPosition, whole.toPosition]);
    expect(new Set(page.parties.flatMap(entriesListed)).size).toBeLessThanOrEqual(limit);
    // The entries a page lists lie in its range of log positions.
    const inRange = (at: string): boolean =>
      (page.page.after === null || BigInt(at) > BigInt(page.page.after)) && (page.page.next === null || BigInt(at) <= BigInt(page.page.next));
    for (const version of page.parties.flatMap((p) => [p.before, p.after])) {
      for (const claim of version?.claims ?? []) expect(inRange(claim.versions[0].position)).toBe(true);
      for (const denial of version?.denialsMade ?? []) expect(inRange(denial.position)).toBe(true);
    }
  }
  // Each event of the whole answer on one page; within a page, in log order.
  expect(pages.flatMap((p) => p.eventIds).sort()).toEqual([...whole.eventIds].sort());
  for (const page of pages) expect(page.eventIds).toEqual(whole.eventIds.filter((id) => page.eventIds.includes(id)));

  const wholeParties = new Map(whole.parties.map((p) => [p.partyId, p]));
  expect([...new Set(pages.flatMap((p) => p.parties.map((x) => x.partyId)))].sort()).toEqual([...wholeParties.keys()].sort());
  for (const [partyId, all] of wholeParties) {
    const shown = pages.flatMap((p) => p.parties.filter((x) => x.partyId === partyId));
    for (const list of LISTS) expect(sortedJson(shown.flatMap((x): unknown[] => x[list]))).toEqual(sortedJson(all[list]));
    for (const x of shown) {
      expect(x.accountChanges).toEqual(all.accountChanges);
      expect(x.partyId).toBe(all.partyId);
      // A page's versions list some of the whole answer's entries, as the whole answer has them, in its order.
      for (const moment of ['before', 'after'] as const) {
        const wholeClaims = all[moment]?.claims ?? [];
        const pageClaims = x[moment]?.claims ?? [];
        expect(pageClaims).toEqual(wholeClaims.filter((c) => pageClaims.some((k) => k.claimId === c.claimId)));
        const wholeDenials = all[moment]?.denialsMade ?? [];
        const pageDenials = x[moment]?.denialsMade ?? [];
        expect(pageDenials).toEqual(wholeDenials.filter((d) => pageDenials.some((k) => k.denialId === d.denialId)));
        expect(x[moment]?.currentAccount).toEqual(all[moment]?.currentAccount);
      }
    }
    // Every claim whose listing changed between the moments is on a page that shows the party.
    const listed = (moment: 'before' | 'after') => new Map((all[moment]?.claims ?? []).map((c) => [c.claimId, JSON.stringify(c)]));
    const [was, is] = [listed('before'), listed('after')];
    const changedClaims = [...new Set([...was.keys(), ...is.keys()])].filter((id) => was.get(id) !== is.get(id));
    const shownClaims = new Set(shown.flatMap((x) => [...(x.before?.claims ?? []), ...(x.after?.claims ?? [])].map((c) => c.claimId)));
    for (const claimId of changedClaims) expect(shownClaims).toContain(claimId);
  }
};

const position = (p: number): AsOf => ({ clock: 'position', position: BigInt(p) });

/** Every pair of cuts `step` apart or more, and each page size given. */
const expectEveryWindow = (envelopes: LedgerEnvelope[], incidentId: string, limits: number[], step = 1): void => {
  for (let from = 0; from <= envelopes.length; from += step) {
    for (let to = from; to <= envelopes.length; to += step) {
      const reported = envelopes.slice(0, to).some((e) => e.event.type === 'IncidentReported' && e.event.data.incidentId === incidentId);
      if (!reported) continue;
      for (const limit of limits) expectPagesMakeWhole(envelopes, incidentId, position(from), position(to), limit);
    }
  }
};

describe('the changes page by page', () => {
  const seed = envelopesOf(seedArticleScenario());

  it("make up the whole answer for every window of the seed article's log, a page of 1 or 3 claims and denials", () => {
    expectEveryWindow(seed, INCIDENT_ID, [1, 3]);
  });

  it('make up the whole answer on the recorded and stated clocks', () => {
    expectPagesMakeWhole(seed, INCIDENT_ID, { clock: 'recorded', at: '2019-06-03T09:09:30Z' }, { clock: 'recorded', at: '2019-06-03T09:14:00Z' }, 2);
    expectPagesMakeWhole(seed, INCIDENT_ID, { clock: 'stated', at: '2019-05-30' }, { clock: 'stated', at: '2019-06-03' }, 2);
  });

  it('make up the whole answer after a merge, asked under the survivor', () => {
    const merged = envelopesOf(mergedSeedScenario());
    expectEveryWindow(merged, SURVIVOR, [1, 3], 2);
  });

  it('make up the whole answer after a split that moves claims out in the window, asked under either incident', () => {
    const claimIds = seed.flatMap(({ event }) => (event.type === 'ClaimMade' ? [event.data.claimId] : [])).slice(0, 2);
    const split = envelopesOf(splitSeedScenario(claimIds));
    expectEveryWindow(split, INCIDENT_ID, [1, 3], 2);
    expectEveryWindow(split, SPLIT_OFF, [1, 3], 2);
  });

  it('make up the whole answer after any claims, supersessions, corrections, retractions, denials, grades and amendments', () => {
    fc.assert(
      fc.property(fc.array(ledgerOpArb, { minLength: 1, maxLength: 16 }), fc.integer({ min: 1, max: 4 }), fc.nat(), fc.nat(), (ops, limit, a, b) => {
        const envelopes = envelopesOf(ledgerOpEntries(ops));
        const [from, to] = [a % (envelopes.length + 1), b % (envelopes.length + 1)].sort((x, y) => x - y);
        expectPagesMakeWhole(envelopes, INCIDENT_ID, position(from), position(Math.max(to, 1)), limit);
      }),
      { numRuns: 60 },
    );
  });

  it('say where the next page starts, and that the last has no next', () => {
    const [first, ...rest] = pagesOf(seed, INCIDENT_ID, position(0), position(seed.length), 4);
    expect(first.page).toEqual({ limit: 4, after: null, next: expect.stringMatching(/^\d+$/) });
    expect(rest[0].page.after).toBe(first.page.next);
    expect(rest[rest.length - 1].page.next).toBeNull();
    // The incident's own report is an event of the first page.
    const reportId = seed.find((e) => e.event.type === 'IncidentReported')!.eventId;
    expect(first.eventIds).toContain(reportId);
    expect(rest.flatMap((p) => p.eventIds)).not.toContain(reportId);
  });

  it('refuse a bad limit or cursor', () => {
    const [from, to] = [position(0), position(seed.length)];
    expect(() => incidentChanges(seed, INCIDENT_ID, from, to, { limit: 0 })).toThrow(InvalidPageError);
    expect(() => incidentChanges(seed, INCIDENT_ID, from, to, { limit: 1001 })).toThrow(InvalidPageError);
    expect(() => incidentChanges(seed, INCIDENT_ID, from, to, { limit: 5, after: '-1' })).toThrow(InvalidPageError);
  });
});
