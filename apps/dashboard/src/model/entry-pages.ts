import type { TimelineEntry, VersionsDoc } from './api-types';
import type { components } from '../../generated/api-schema';

type TimelinePage = components['schemas']['IncidentTimelinePage'];

const lastBy = <T,>(items: readonly T[], key: (item: T) => string): T[] => [...new Map(items.map((item) => [key(item), item])).values()];

/**
 * Pages of a large incident's versions (claims and denials in log order, each page carrying the whole current
 * accounts and disagreements) as one document: the parties, accounts, disagreements and revision of the latest page,
 * each party's claims and denials of every page loaded, in page order, an entry present twice kept once.
 */
export const mergeVersionsPages = <D extends Pick<VersionsDoc, 'parties' | 'partyNames'>>(pages: readonly D[]): D => {
  const latest = pages[pages.length - 1];
  if (pages.length === 1) return latest;
  return {
    ...latest,
    partyNames: Object.assign({}, ...pages.map((p) => p.partyNames)) as D['partyNames'],
    parties: latest.parties.map((party) => {
      const same = pages.flatMap((p) => p.parties.filter((q) => q.partyId === party.partyId));
      return {
        ...party,
        claims: lastBy(same.flatMap((q) => q.claims), (c) => c.claimId),
        denialsMade: lastBy(same.flatMap((q) => q.denialsMade), (d) => d.denialId),
      };
    }),
  };
};

/** Pages of an incident's timeline as one list, in log order, an entry present twice kept once. */
export const mergeTimelinePages = (pages: readonly TimelinePage[]): TimelineEntry[] => lastBy(pages.flatMap((p) => p.entries), (e) => e.eventId);
