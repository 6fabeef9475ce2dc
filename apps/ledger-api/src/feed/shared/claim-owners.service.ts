import { Inject, Injectable } from '@nestjs/common';
import { fromStored } from '@ledger/domain';
import { EVENT_STORE, EventStore, streamEvents } from '@ledger/event-store';
import { PartyRefs } from './event-parties';

/** Claims and denials remembered; beyond this the oldest are forgotten and read again from their stream if needed. */
const MAX_REMEMBERED = 200_000;
/** Events read at a time from an incident's stream: a big incident read whole would hold the HTTP thread in one piece. */
export const OWNERS_PAGE = 512;

/** A Map that forgets its oldest keys past a bound, so a long-running feed does not grow with the whole ledger. */
class BoundedMap<V> extends Map<string, V> {
  constructor(private readonly bound: number) {
    super();
  }
  override set(key: string, value: V): this {
    if (!this.has(key) && this.size >= this.bound) this.delete(this.keys().next().value as string);
    return super.set(key, value);
  }
}

/**
 * Who made each claim and denial of an incident: what an amendment of an entry, or a claim answering another claim,
 * needs in order to know which parties it concerns. Learnt from the events the feeds read anyway; an entry not seen
 * yet (the feed started after it) is found by reading its incident's stream once. Claimants never change, so a
 * remembered answer never goes stale.
 */
@Injectable()
export class ClaimOwners {
  private readonly claimants = new BoundedMap<string>(MAX_REMEMBERED);
  private readonly denials = new BoundedMap<readonly string[]>(MAX_REMEMBERED);
  private readonly loading = new Map<string, Promise<void>>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** Remembers the owner of a claim or denial this event creates. Never throws. */
  observe(streamName: string, storedType: string, data: unknown): void {
    if (!storedType.startsWith('ClaimMade.') && !storedType.startsWith('ClaimDenied.')) return;
    try {
      const event = fromStored(storedType, data);
      if (event.type === 'ClaimMade' && typeof event.data.claimId === 'string') {
        this.claimants.set(`${streamName}/${event.data.claimId}`, String(event.data.partyId ?? ''));
      } else if (event.type === 'ClaimDenied' && typeof event.data.denialId === 'string') {
        this.denials.set(
          `${streamName}/${event.data.denialId}`,
          [event.data.partyId, event.data.claimPartyId].filter((p): p is string => typeof p === 'string' && p !== ''),
        );
      }
    } catch {
      // Not readable as a ledger event: it creates nothing to remember.
    }
  }

  /** The parties owning the referenced claims and denials of this incident stream. Rejects only when the store does. */
  async partiesOf(streamName: string, refs: Pick<PartyRefs, 'claims' | 'denials'>): Promise<string[]> {
    if (refs.claims.length === 0 && refs.denials.length === 0) return [];
    const known = (): boolean =>
      refs.claims.every((c) => this.claimants.has(`${streamName}/${c}`)) && refs.denials.every((d) => this.denials.has(`${streamName}/${d}`));
    if (!known()) await this.load(streamName);
    const out: string[] = [];
    for (const claimId of refs.claims) {
      const key = `${streamName}/${claimId}`;
      const owner = this.claimants.get(key);
      // An entry the stream does not have (a damaged log): remembered as nobody's, so it is not read again each time.
      if (owner === undefined) this.claimants.set(key, '');
      else if (owner !== '') out.push(owner);
    }
    for (const denialId of refs.denials) {
      const key = `${streamName}/${denialId}`;
      const owners = this.denials.get(key);
      if (owners === undefined) this.denials.set(key, []);
      else out.push(...owners);
    }
    return out;
  }

  /** One read of the incident's stream at a time, however many events wait for it. */
  private load(streamName: string): Promise<void> {
    let loading = this.loading.get(streamName);
    if (!loading) {
      loading = this.readOwners(streamName).finally(() => this.loading.delete(streamName));
      this.loading.set(streamName, loading);
    }
    return loading;
  }

  private async readOwners(streamName: string): Promise<void> {
    for await (const event of streamEvents(this.store, streamName, { pageSize: OWNERS_PAGE })) this.observe(streamName, event.type, event.data);
  }
}
