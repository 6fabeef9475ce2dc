import { randomUUID } from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';
import type { AllStreamResolvedEvent, AllStreamSubscription } from '@eventstore/db-client';
import { AccessDeniedError, CancelledError, UnavailableError, UnknownError } from '@eventstore/db-client';
import { RecordedEvent, StoreRefusedError, StoreUnavailableError, SubscriptionHandlers } from '../event-store.port';
import { backoffPolicy, BackoffPolicy } from './backoff';
import { isLedgerRecord, toEsdbMetadata, toRecordedEvent } from './esdb-mapping';
import { EsdbSubscription } from './esdb-subscription';

/*
 * The subscription's reconnect and ordering logic against scripted client subscriptions. The wire double covers the
 * same paths end to end (tests/contract, tests/reliability); these scripts reach what a server cannot be made to do
 * on cue: a caught-up message landing while events are still buffered, a replayed checkpoint event, a non-transient
 * failure, a run of failed reconnects.
 */

/** Mimics the client's Subscription: a Transform turning wire messages into events and emitting caughtUp in order. */
class ScriptedSource extends Transform {
  readonly unsubscribe = jest.fn(async () => undefined);

  constructor() {
    super({ objectMode: true });
  }

  override _transform(message: Wire, _encoding: BufferEncoding, next: TransformCallback): void {
    if (message === 'caughtUp') {
      this.emit('caughtUp');
      next();
      return;
    }
    if (message === 'confirmation') {
      this.emit('confirmation');
      next();
      return;
    }
    next(null, message);
  }

  send(...messages: Wire[]): this {
    for (const message of messages) this.write(message);
    return this;
  }

  /** What the client does when the gRPC call fails: emits the converted error on the transform. */
  failWith(error: Error): void {
    this.emit('error', error);
  }
}

type Wire = AllStreamResolvedEvent | 'caughtUp' | 'confirmation';

function esdbEvent(position: bigint, streamId = 'incident-1', type = 'ClaimMade.v1'): AllStreamResolvedEvent {
  return {
    event: {
      streamId,
      id: randomUUID(),
      revision: position,
      type,
      data: { at: position.toString() },
      metadata: toEsdbMetadata({ recordedAt: 'now', recordedBy: 'test', correlationId: 'c', causationId: 'k' }),
      isJson: true,
      created: new Date(0),
      position: { commit: position, prepare: position },
    },
    commitPosition: position,
  } as AllStreamResolvedEvent;
}

interface Harness {
  subscription: EsdbSubscription;
  opened: bigint[];
  sources: ScriptedSource[];
  received: RecordedEvent[];
  caughtUp: Array<{ position: bigint; receivedSoFar: number }>;
  errors: unknown[];
  warnings: string[];
}

function subscribe(
  options: {
    from?: bigint;
    script: (source: ScriptedSource, attempt: number) => void;
    onEvent?: (event: RecordedEvent) => Promise<void> | void;
    backoff?: Partial<BackoffPolicy>;
  },
): Harness {
  const harness = { opened: [], sources: [], received: [], caughtUp: [], errors: [], warnings: [] } as unknown as Harness;
  const handlers: SubscriptionHandlers = {
    onEvent: (event) => {
      harness.received.push(event);
      return options.onEvent?.(event);
    },
    onCaughtUp: (position) => harness.caughtUp.push({ position, receivedSoFar: harness.received.length }),
    onError: (error) => {
      harness.errors.push(error);
    },
  };
  harness.subscription = new EsdbSubscription({
    fromPosition: options.from ?? 0n,
    handlers,
    backoff: backoffPolicy({ initialDelayMs: 5, maxDelayMs: 40, jitter: 0, ...options.backoff }),
    logger: { warn: (message) => harness.warnings.push(message) },
    open: (checkpoint) => {
      const source = new ScriptedSource();
      harness.opened.push(checkpoint);
      harness.sources.push(source);
      const attempt = harness.sources.length;
      // The client starts the call on a later tick.
      setImmediate(() => options.script(source, attempt));
      return source as unknown as AllStreamSubscription;
    },
    convert: (resolved) =>
      resolved.event && isLedgerRecord(resolved.event, ['incident-']) ? toRecordedEvent(resolved.event) : undefined,
    onFinished: () => undefined,
  });
  return harness;
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const positions = (events: RecordedEvent[]) => events.map((event) => event.position);

describe('EsdbSubscription', () => {
  it('reports caught up only after the events that preceded the server’s message, even while they sit in the buffer', async () => {
    const h = subscribe({
      script: (source) => source.send('confirmation', esdbEvent(10n), esdbEvent(20n), esdbEvent(30n), 'caughtUp'),
      onEvent: () => sleep(5),
    });

    await waitFor(() => h.caughtUp.length > 0, 'caught up');
    await h.subscription.stop();

    expect(positions(h.received)).toEqual([10n, 20n, 30n]);
    expect(h.caughtUp).toEqual([{ position: 30n, receivedSoFar: 3 }]);
  });

  it('reports caught up at the checkpoint when nothing follows it, and again each time live events are drained', async () => {
    let source!: ScriptedSource;
    const h = subscribe({ from: 50n, script: (s) => (source = s).send('caughtUp') });

    await waitFor(() => h.caughtUp.length === 1, 'caught up');
    source.send(esdbEvent(60n));
    await waitFor(() => h.caughtUp.length === 2, 'caught up after a live event');
    await h.subscription.stop();

    expect(h.caughtUp).toEqual([
      { position: 50n, receivedSoFar: 0 },
      { position: 60n, receivedSoFar: 1 },
    ]);
  });

  it('hands out one event at a time and skips system events, foreign streams and anything at or before the checkpoint', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const h = subscribe({
      from: 20n,
      script: (source) =>
        source.send(
          esdbEvent(20n), // a server treating the start as inclusive resends the checkpoint's own event
          esdbEvent(30n),
          esdbEvent(35n, 'incident-1', '$>'),
          esdbEvent(38n, '$stats-node', '$statsCollected'),
          esdbEvent(39n, 'orders-1', 'OrderPlaced'),
          esdbEvent(40n),
          'caughtUp',
        ),
      onEvent: async () => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep(3);
        inFlight -= 1;
      },
    });

    await waitFor(() => h.caughtUp.length > 0, 'caught up');
    await h.subscription.stop();

    expect(positions(h.received)).toEqual([30n, 40n]);
    expect(maxInFlight).toBe(1);
  });

  it('resubscribes after a connection loss from the last delivered position: no gap, no duplicate, no onError', async () => {
    const h = subscribe({
      script: (source, attempt) => {
        if (attempt === 1) {
          source.send(esdbEvent(10n), esdbEvent(20n));
          setTimeout(() => source.failWith(new UnavailableError()), 20);
        } else if (attempt === 2) {
          setTimeout(() => source.failWith(new CancelledError()), 5);
        } else {
          // The server resumes inclusively from the checkpoint.
          source.send(esdbEvent(20n), esdbEvent(30n), 'caughtUp');
        }
      },
    });

    await waitFor(() => h.caughtUp.length > 0, 'caught up after reconnecting');
    await h.subscription.stop();

    expect(positions(h.received)).toEqual([10n, 20n, 30n]);
    expect(h.opened).toEqual([0n, 20n, 20n]);
    expect(h.errors).toEqual([]);
    expect(h.subscription.reconnects).toBe(2);
    expect(h.warnings[0]).toMatch(/resubscribing after position 20 in 5 ms \(attempt 1\)/);
    expect(h.warnings[1]).toMatch(/in 10 ms \(attempt 2\)/);
  });

  it('delivers the events buffered before the failure, then resumes after them', async () => {
    const h = subscribe({
      script: (source, attempt) => {
        if (attempt === 1) {
          source.send(esdbEvent(10n), esdbEvent(20n), esdbEvent(30n));
          source.failWith(new UnavailableError());
        } else {
          source.send('caughtUp');
        }
      },
      onEvent: () => sleep(5),
    });

    await waitFor(() => h.caughtUp.length > 0, 'caught up');
    await h.subscription.stop();

    expect(positions(h.received)).toEqual([10n, 20n, 30n]);
    expect(h.opened).toEqual([0n, 30n]);
  });

  it('treats the server ending the call as a loss and resubscribes', async () => {
    const h = subscribe({
      script: (source, attempt) => {
        if (attempt === 1) {
          source.send(esdbEvent(10n));
          source.end();
        } else {
          source.send(esdbEvent(20n), 'caughtUp');
        }
      },
    });

    await waitFor(() => h.caughtUp.length > 0, 'caught up');
    await h.subscription.stop();

    expect(positions(h.received)).toEqual([10n, 20n]);
    expect(h.opened).toEqual([0n, 10n]);
  });

  it('resets the backoff once a connection delivers again', async () => {
    const h = subscribe({
      script: (source, attempt) => {
        if (attempt === 1 || attempt === 2 || attempt === 4) source.failWith(new UnavailableError());
        else if (attempt === 3) {
          source.send(esdbEvent(10n));
          setTimeout(() => source.failWith(new UnavailableError()), 5);
        } else source.send('caughtUp');
      },
    });

    await waitFor(() => h.caughtUp.length > 0, 'caught up');
    await h.subscription.stop();

    expect(h.warnings.map((warning) => /in (\d+) ms/.exec(warning)![1])).toEqual(['5', '10', '5', '10']);
  });

  it.each([
    ['a refusal (access denied), as StoreRefusedError', () => new AccessDeniedError(), StoreRefusedError],
    ['any other failure, as StoreUnavailableError', () => new UnknownError(undefined, 'Could not recognize it'), StoreUnavailableError],
  ])('reports %s through onError, and stops', async (_label, failure, reported) => {
    const error = failure();
    const h = subscribe({ script: (source) => source.failWith(error) });

    await waitFor(() => h.errors.length > 0, 'onError');
    await sleep(30);

    expect(h.errors).toHaveLength(1);
    expect(h.errors[0]).toBeInstanceOf(reported);
    expect((h.errors[0] as Error & { cause?: unknown }).cause).toBe(error);
    expect(h.opened).toHaveLength(1);
  });

  it('gives up after maxAttempts consecutive failed attempts and says so through onError', async () => {
    const h = subscribe({ script: (source) => source.failWith(new UnavailableError()), backoff: { maxAttempts: 3 } });

    await waitFor(() => h.errors.length > 0, 'onError');

    expect(h.opened).toHaveLength(4);
    expect(h.errors[0]).toBeInstanceOf(StoreUnavailableError);
    expect((h.errors[0] as Error).message).toMatch(/gave up after 3 consecutive failed attempts/);
  });

  it('reports a handler failure unchanged and never resubscribes', async () => {
    const failure = new Error('projection failed');
    const h = subscribe({
      script: (source) => source.send(esdbEvent(10n), esdbEvent(20n), esdbEvent(30n)),
      onEvent: (event) => {
        if (event.position === 20n) throw failure;
      },
    });

    await waitFor(() => h.errors.length > 0, 'onError');
    await sleep(30);

    expect(h.errors).toEqual([failure]);
    expect(positions(h.received)).toEqual([10n, 20n]);
    expect(h.opened).toHaveLength(1);
    expect(h.sources[0].unsubscribe).toHaveBeenCalled();
  });

  it('stop() during the backoff wait ends at once and opens nothing more', async () => {
    const h = subscribe({ script: (source) => source.failWith(new UnavailableError()), backoff: { initialDelayMs: 5000, maxDelayMs: 5000 } });
    await waitFor(() => h.warnings.length > 0, 'first loss');

    const started = Date.now();
    await h.subscription.stop();

    expect(Date.now() - started).toBeLessThan(500);
    await sleep(20);
    expect(h.opened).toHaveLength(1);
    expect(h.errors).toEqual([]);
  });

  it('stop() while waiting for the next event cancels the call and resolves', async () => {
    const h = subscribe({ script: (source) => source.send('caughtUp') });
    await waitFor(() => h.caughtUp.length > 0, 'caught up');

    await h.subscription.stop();

    expect(h.sources[0].unsubscribe).toHaveBeenCalled();
    expect(h.sources[0].destroyed).toBe(true);
  });

  it('a handler may stop its own subscription without waiting for itself', async () => {
    const h: Harness = subscribe({
      script: (source) => source.send(esdbEvent(10n), esdbEvent(20n)),
      onEvent: async () => {
        await h.subscription.stop();
      },
    });

    await waitFor(() => h.received.length === 1, 'first event');
    await sleep(20);

    expect(positions(h.received)).toEqual([10n]);
  });
});
