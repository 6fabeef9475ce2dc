import { EventStore, START } from '@ledger/event-store';
import { ScenarioEntry, storedEventsOf } from './seed-article.fixture';

/** Polls until `condition` holds (a runner's asynchronous progress), failing after `timeoutMs`. */
export const until = async (condition: () => boolean, timeoutMs = 5000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

/** Appends the entries one by one, as recorders would; returns the last position. */
export const append = async (eventStore: EventStore, entries: ScenarioEntry[], idPrefix?: string): Promise<bigint> => {
  let last = START;
  for (const { streamName, event } of storedEventsOf(entries, idPrefix)) last = (await eventStore.append(streamName, [event])).position;
  return last;
};
