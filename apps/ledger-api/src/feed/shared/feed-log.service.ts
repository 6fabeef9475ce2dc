import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, EventStore, RecordedEvent, StoreRefusedError } from '@ledger/event-store';
import { LEDGER_CONFIG, LedgerConfig } from '../../platform/config/ledger-config';
import { ClaimOwners } from './claim-owners.service';
import { isLedgerStreamName } from '@ledger/domain';
import { incidentIdOf, partyRefsOf } from './event-parties';
import { FeedEntry } from './feed-entry';
import type { FeedFilter } from './feed-filter';

/** Largest store read per round trip. */
const MAX_READ = 1000;

const turnOfTheEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface ScanResult {
  /** The matching ledger events, in position order. */
  entries: FeedEntry[];
  /** Position of the last event looked at, matching or not (bookkeeping streams included): where to go on from. */
  next: bigint;
  /** How many events were looked at. 0: the store has nothing after the starting position. */
  scanned: number;
}

/**
 * The feeds' view of the store's global log: ledger events only (never the notary's checkpoints, the access log or
 * idempotency bookkeeping, which SQLite's global log carries), each with what the filters need.
 */
@Injectable()
export class FeedLog {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    private readonly owners: ClaimOwners,
  ) {}

  head(): Promise<bigint> {
    return this.store.headPosition();
  }

  /**
   * False when the store refuses to read from `position` because it is not where a record starts (EventStoreDB's
   * positions are byte offsets; every SQLite position up to the head is an event's). One read of at most one event.
   */
  async startsARecord(position: bigint): Promise<boolean> {
    if (position === 0n) return true;
    try {
      await this.store.readAll({ fromPosition: position, maxCount: 1 });
      return true;
    } catch (error) {
      if (error instanceof StoreRefusedError && error.reason === 'invalid-position') return false;
      throw error;
    }
  }

  /** A ledger event as a feed entry; with its parties when asked (which may read its incident's stream once). */
  async entryOf(recorded: RecordedEvent, withParties: boolean): Promise<FeedEntry> {
    const incidentId = incidentIdOf(recorded.streamName);
    if (incidentId !== undefined) this.owners.observe(recorded.streamName, recorded.type, recorded.data);
    let parties: Set<string> | undefined;
    if (withParties) {
      const refs = partyRefsOf(recorded.streamName, recorded.type, recorded.data);
      parties = new Set(refs.named);
      if (incidentId !== undefined) for (const party of await this.owners.partiesOf(recorded.streamName, refs)) parties.add(party);
    }
    return new FeedEntry(recorded, this.config.notary.origin, incidentId, parties);
  }

  /**
   * The events after `after` that pass `filter`, reading until `limit` matched or `maxScan` events were looked at or
   * the log ends. A rare filter therefore costs at most `maxScan` events per call and still makes progress: `next`
   * is the last event looked at, not the last one returned.
   */
  async scan(after: bigint, options: { filter: FeedFilter; limit: number; maxScan: number }): Promise<ScanResult> {
    const { filter, limit, maxScan } = options;
    const entries: FeedEntry[] = [];
    let next = after;
    let scanned = 0;
    while (entries.length < limit && scanned < maxScan) {
      // The embedded store reads synchronously, so without this a stream catching up from far back under a rare
      // filter (whole pages that match nothing, one scan after another) would hold the event loop for the whole
      // catch-up: seconds on a large log, every other request and stream waiting behind it.
      await turnOfTheEventLoop();
      // Unfiltered, every ledger event matches: read about what is still wanted (a few more for bookkeeping events).
      const wanted = filter.selective ? MAX_READ : limit - entries.length + 8;
      const maxCount = Math.min(wanted, maxScan - scanned, MAX_READ);
      const page = await this.store.readAll({ fromPosition: next, maxCount });
      if (page.length === 0) break;
      for (const recorded of page) {
        next = recorded.position;
        scanned += 1;
        if (isLedgerStreamName(recorded.streamName)) {
          const entry = await this.entryOf(recorded, filter.needsParties);
          if (filter.matches(entry)) entries.push(entry);
        }
        if (entries.length >= limit || scanned >= maxScan) break;
      }
      // A short page is the end of the log as it stands: another read now would come back empty.
      if (page.length < maxCount) break;
    }
    return { entries, next, scanned };
  }
}
