import { IncidentEvent, incidentStream, PartyRegisteredData, partiesReferencedBy, partyStream, UnknownEventTypeError } from '@ledger/domain';
import { EventStore, RecordedEvent } from '@ledger/event-store';
import { readWholeLog } from '@ledger/integrity';
import { LedgerEnvelope, gatherIncidentLog, toEnvelope } from '@ledger/read-models';
import { CliOutput } from './cli-output';
import { CliError, EXIT } from './ledger-files';
import { LedgerSource } from './ledger-source';
import { positionScale, startProgressBar } from './progress-bar';

export const PAGE_SIZE = 1000;

/** Reads an event into the domain's shape, or stops the command naming the event it cannot read. */
export const envelopeOf = (event: RecordedEvent): LedgerEnvelope => {
  try {
    return toEnvelope(event);
  } catch (error) {
    const why = error instanceof UnknownEventTypeError ? `its type "${event.type}" is unknown to this build` : error instanceof Error ? error.message : String(error);
    throw new CliError(`Event ${event.streamName}@${event.revision} (position ${event.position}, id ${event.eventId}) cannot be read: ${why}`, EXIT.failed);
  }
};

/** A store failure (unreachable EventStoreDB, unreadable row) as one clear message and a failure exit. */
export const storeFailure = (what: string, error: unknown): CliError =>
  error instanceof CliError ? error : new CliError(`${what} failed: ${error instanceof Error ? error.message : String(error)}`, EXIT.failed);

const readStreamPaged = async (store: EventStore, streamName: string, onPage?: (page: RecordedEvent[]) => void): Promise<RecordedEvent[]> => {
  const events: RecordedEvent[] = [];
  for (let from = 0n; ; ) {
    const page = await store.readStream(streamName, { direction: 'forwards', fromRevision: from, maxCount: PAGE_SIZE });
    if (page.length === 0) break;
    events.push(...page);
    onPage?.(page);
    if (page.length < PAGE_SIZE) break;
    from = page[page.length - 1].revision + 1n;
  }
  return events;
};

/** The parties an incident's events name: speakers, claimants denied, and parties named in assertions. */
const partyIdsOf = (envelopes: readonly LedgerEnvelope[]): Set<string> => {
  const ids = new Set<string>();
  for (const { event } of envelopes) {
    if (event.type === 'PartyRegistered') continue;
    const data = (event as IncidentEvent).data as unknown as Record<string, unknown>;
    for (const key of ['partyId', 'claimPartyId']) if (typeof data[key] === 'string') ids.add(data[key] as string);
    const assertions = [data.assertions, (data.changes as Record<string, unknown> | undefined)?.assertions];
    for (const a of assertions) if (a && typeof a === 'object') for (const ref of partiesReferencedBy(a)) ids.add(ref.partyId);
  }
  return ids;
};

export interface IncidentLog {
  /** The incident stream's events in log order (the stream's order is the log's order for one stream). */
  envelopes: LedgerEnvelope[];
  names: Map<string, PartyRegisteredData>;
}

/**
 * One incident's stream plus the registrations of the parties it names: all
 * that party versions and claim history read (both are functions of the
 * incident's stream alone), at a cost proportional to the incident rather
 * than to the whole log.
 */
export const readIncidentLog = async (
  store: EventStore,
  source: LedgerSource,
  incidentId: string,
  out: CliOutput,
  progress: boolean,
): Promise<IncidentLog> => {
  const streamName = incidentStream(incidentId);
  let own: LedgerEnvelope[];
  try {
    const head = await store.streamRevision(streamName);
    if (head === undefined) {
      throw new CliError(`No incident ${incidentId} in the ledger: stream ${streamName} has no events (read from ${source.description}).`, EXIT.failed);
    }
    const bar = startProgressBar(out, progress, 'reading incident', Number(head) + 1, 'events');
    try {
      own = (await readStreamPaged(store, streamName, (page) => bar.increment(page.length))).map(envelopeOf);
    } finally {
      bar.stop();
    }
  } catch (error) {
    throw storeFailure(`Reading ${streamName}`, error);
  }
  // With the streams of the incidents merged into it or split from it, whose entries count in it, as the API reads it.
  let envelopes: LedgerEnvelope[];
  try {
    envelopes = await gatherIncidentLog(incidentId, async (id) => (id === incidentId ? own : (await readStreamPaged(store, incidentStream(id))).map(envelopeOf)));
  } catch (error) {
    throw storeFailure('Reading the incidents merged into it or split from it', error);
  }
  const names = new Map<string, PartyRegisteredData>();
  try {
    for (const partyId of partyIdsOf(envelopes)) {
      const [registered] = await store.readStream(partyStream(partyId), { maxCount: 1 });
      if (registered?.type.startsWith('PartyRegistered.')) {
        const { event } = envelopeOf(registered);
        if (event.type === 'PartyRegistered') names.set(partyId, event.data);
      }
    }
  } catch (error) {
    throw storeFailure('Reading the party registry', error);
  }
  return { envelopes, names };
};

/** Every event in global order with a progress bar over positions; hands each page to `onPage`. */
export const scanWholeLog = async (
  store: EventStore,
  out: CliOutput,
  progress: boolean,
  onPage: (page: RecordedEvent[]) => void | Promise<void>,
): Promise<{ events: number; head: bigint }> => {
  let events = 0;
  let head = 0n;
  try {
    head = await store.headPosition();
    const scale = positionScale(head);
    const bar = startProgressBar(out, progress, 'reading events', scale(head), 'positions');
    try {
      for await (const page of readWholeLog(store)) {
        await onPage(page);
        events += page.length;
        const last = page[page.length - 1].position;
        bar.update(Math.min(scale(last), scale(head)));
      }
      bar.update(scale(head));
    } finally {
      bar.stop();
    }
  } catch (error) {
    throw storeFailure('Reading the event log', error);
  }
  return { events, head };
};

export const namesFrom = (envelopes: Iterable<LedgerEnvelope>): Map<string, PartyRegisteredData> => {
  const names = new Map<string, PartyRegisteredData>();
  for (const { event } of envelopes) if (event.type === 'PartyRegistered') names.set(event.data.partyId, event.data);
  return names;
};

