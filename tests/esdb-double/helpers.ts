// Small helpers for the double's own tests (raw @eventstore/db-client, no ledger code).
import { randomUUID } from 'node:crypto';
import { jsonEvent, type EventStoreDBClient, type ResolvedEvent, type Position } from '@eventstore/db-client';

export const uniqueStream = (prefix: string): string => `${prefix}-${randomUUID().replace(/-/g, '').slice(0, 12)}`;

export function events(n: number, type = 'Something.v1', from = 0) {
  return Array.from({ length: n }, (_, i) => jsonEvent({ id: randomUUID(), type, data: { n: from + i } }));
}

export async function readAllOf(iterable: AsyncIterable<ResolvedEvent>): Promise<ResolvedEvent[]> {
  const out: ResolvedEvent[] = [];
  for await (const e of iterable) out.push(e);
  return out;
}

export async function expectRejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject');
}

export async function waitFor(cond: () => boolean, timeoutMs = 15_000, what: string | (() => string) = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export type SubscriptionLogEntry =
  | { kind: 'confirmation' }
  | { kind: 'event'; stream: string; type: string; revision: bigint; position?: Position; data: unknown }
  | { kind: 'checkpoint'; position: Position }
  | { kind: 'caughtUp' }
  | { kind: 'error'; error: Error }
  | { kind: 'end' };

/** Records everything a subscription emits, in order. */
export function record(sub: NodeJS.EventEmitter, log: SubscriptionLogEntry[]): void {
  sub.on('confirmation', () => log.push({ kind: 'confirmation' }));
  sub.on('caughtUp', () => log.push({ kind: 'caughtUp' }));
  sub.on('data', (e: ResolvedEvent) => {
    const ev = e.event!;
    log.push({ kind: 'event', stream: ev.streamId, type: ev.type, revision: ev.revision, position: ev.position, data: ev.data });
  });
  sub.on('error', (error: Error) => log.push({ kind: 'error', error }));
  sub.on('end', () => log.push({ kind: 'end' }));
}

export const eventsIn = (log: SubscriptionLogEntry[]) =>
  log.filter((x): x is Extract<SubscriptionLogEntry, { kind: 'event' }> => x.kind === 'event');

export async function disposeAll(...clients: EventStoreDBClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.dispose().catch(() => undefined)));
}
