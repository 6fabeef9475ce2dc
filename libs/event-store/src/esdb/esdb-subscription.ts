import { AsyncLocalStorage } from 'node:async_hooks';
import type { AllStreamResolvedEvent, AllStreamSubscription } from '@eventstore/db-client';
import { RecordedEvent, StoreUnavailableError, Subscription, SubscriptionHandlers } from '../event-store.port';
import { reportSubscriptionStopped } from '../store-rules';
import { BackoffPolicy, backoffDelay } from './backoff';
import { isTransientConnectionError, toPortError } from './esdb-mapping';

/**
 * Marks code running inside one of a subscription's own callbacks, so that a handler calling stop() on its own
 * subscription does not wait for itself to return.
 */
const callbackScope = new AsyncLocalStorage<EsdbSubscription>();

const noop = (): void => undefined;

export interface EsdbLogger {
  warn(message: string): void;
}

export interface EsdbSubscriptionOptions {
  /** Exclusive checkpoint. */
  fromPosition: bigint;
  handlers: SubscriptionHandlers;
  /** Opens EventStoreDB's (filtered) catch-up subscription to $all after the given exclusive checkpoint. */
  open: (checkpoint: bigint) => AllStreamSubscription;
  /** The ledger's event, or undefined for an event to skip (system event, another application's stream). */
  convert: (resolved: AllStreamResolvedEvent) => RecordedEvent | undefined;
  backoff: BackoffPolicy;
  random?: () => number;
  logger?: EsdbLogger;
  onFinished: (subscription: EsdbSubscription) => void;
}

/** A failure of the consumer's own callback: never retried, always reported. */
class HandlerFailure extends Error {
  constructor(readonly failure: unknown) {
    super('subscription handler failed');
  }
}

/**
 * The port's subscription over EventStoreDB's catch-up subscription to $all.
 *
 * - Delivery: one event at a time; the next one is pulled from the client's stream only after the handler's promise
 *   settles (the stream's own back-pressure holds the rest on the server side). Events at or before the checkpoint
 *   are dropped, so a server that resends the checkpoint's own event (inclusive start) or an overlap after a
 *   reconnect never reaches the handler twice.
 * - Caught up: the server's CaughtUp message (client 6.1+, server 23.10+) is reported after the events that preceded
 *   it on the wire have been handled; while live, each time the received events are drained it is reported again
 *   ("delivered everything stored so far"), as the embedded store does.
 * - Connection loss: the client does not resubscribe. A transient failure (see isTransientConnectionError) or the
 *   server ending the call reopens the subscription from the last position handed successfully to onEvent, after an
 *   exponential backoff that resets once a connection delivers again. It is not reported through onError: the
 *   consumer sees a pause, never a gap or a duplicate. Anything else (access denied, an event without a usable
 *   position, giving up after `maxAttempts` consecutive failures) stops the subscription and goes to onError as
 *   StoreUnavailableError; a handler's own failure stops it and goes to onError unchanged.
 */
export class EsdbSubscription implements Subscription {
  private checkpoint: bigint;
  private stopped = false;
  private source: AllStreamSubscription | undefined;
  private wakeUp: (() => void) | undefined;
  private failures = 0;
  private reconnectCount = 0;
  private readonly finished: Promise<void>;

  constructor(private readonly options: EsdbSubscriptionOptions) {
    this.checkpoint = options.fromPosition;
    this.finished = this.run().finally(() => options.onFinished(this));
  }

  /** The last position handed successfully to onEvent (or the starting checkpoint). */
  get position(): bigint {
    return this.checkpoint;
  }

  /** How many times the subscription was reopened after a connection loss. */
  get reconnects(): number {
    return this.reconnectCount;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    this.closeSource(this.source);
    if (callbackScope.getStore() === this) return;
    await this.finished;
  }

  private async run(): Promise<void> {
    // Deferred so that the caller holds the Subscription before any callback can refer to it.
    await Promise.resolve();
    while (!this.stopped) {
      let cause: unknown;
      try {
        await this.consume();
        if (this.stopped) return;
        cause = new StoreUnavailableError('EventStoreDB ended the subscription');
      } catch (error) {
        if (this.stopped) return;
        if (error instanceof HandlerFailure) {
          await this.fail(error.failure);
          return;
        }
        if (!isTransientConnectionError(error)) {
          await this.fail(toPortError('subscribe to $all', error));
          return;
        }
        cause = error;
      }
      this.failures += 1;
      const { backoff } = this.options;
      if (this.failures > backoff.maxAttempts) {
        await this.fail(
          new StoreUnavailableError(
            `EventStoreDB subscription gave up after ${backoff.maxAttempts} consecutive failed attempts: ${messageOf(cause)}`,
            cause,
          ),
        );
        return;
      }
      const delay = backoffDelay(this.failures - 1, backoff, this.options.random);
      this.options.logger?.warn(
        `EventStoreDB subscription lost (${messageOf(cause)}); resubscribing after position ${this.checkpoint} in ${delay} ms ` +
          `(attempt ${this.failures})`,
      );
      await this.sleep(delay);
      if (!this.stopped) this.reconnectCount += 1;
    }
  }

  /** One connection: returns when the server ends the call or the subscription is stopped, throws on failure. */
  private async consume(): Promise<void> {
    const source = this.options.open(this.checkpoint);
    this.source = source;
    // Listeners go on before anything can be emitted: the client starts the call on a later tick.
    source.on('error', noop);
    let yielded = 0;
    let processed = 0;
    let caughtUpAt: number | undefined;
    let live = false;
    let callbackFailure: unknown;

    const connected = () => {
      this.failures = 0;
    };
    const reportCaughtUp = (): void => {
      caughtUpAt = undefined;
      live = true;
      if (this.stopped) return;
      const position = this.checkpoint;
      try {
        callbackScope.run(this, () => this.options.handlers.onCaughtUp?.(position));
      } catch (error) {
        throw new HandlerFailure(error);
      }
    };

    source.on('confirmation', connected);
    source.on('fellBehind', () => {
      live = false;
    });
    source.on('caughtUp', () => {
      connected();
      // Events that arrived before this message are either handed out already or still buffered in the stream.
      caughtUpAt = yielded + source.readableLength;
      if (yielded === processed && processed >= caughtUpAt) {
        try {
          reportCaughtUp();
        } catch (error) {
          callbackFailure = error;
          source.destroy(error as Error);
        }
      }
    });

    try {
      for await (const resolved of source as AsyncIterable<AllStreamResolvedEvent>) {
        yielded += 1;
        connected();
        if (this.stopped) return;
        const event = this.options.convert(resolved);
        let delivered = false;
        if (event && event.position > this.checkpoint) {
          await this.invoke(() => this.options.handlers.onEvent(event));
          this.checkpoint = event.position;
          delivered = true;
        }
        processed += 1;
        if (this.stopped) return;
        if (caughtUpAt !== undefined && processed >= caughtUpAt) {
          reportCaughtUp();
        } else if (live && delivered && source.readableLength === 0 && (source as unknown as { writableLength?: number }).writableLength === 0) {
          reportCaughtUp();
        }
      }
    } catch (error) {
      if (callbackFailure !== undefined) throw callbackFailure;
      throw error;
    } finally {
      this.closeSource(source);
    }
  }

  private async invoke(callback: () => unknown): Promise<void> {
    try {
      await callbackScope.run(this, callback);
    } catch (error) {
      throw new HandlerFailure(error);
    }
  }

  private closeSource(source: AllStreamSubscription | undefined): void {
    if (!source) return;
    if (this.source === source) this.source = undefined;
    // Cancels the gRPC call (the client swallows its own cancellation) and ends the iteration over the stream.
    source.unsubscribe().catch(noop);
    if (!source.destroyed) source.destroy();
  }

  private async fail(error: unknown): Promise<void> {
    this.stopped = true;
    this.closeSource(this.source);
    await reportSubscriptionStopped(error, this.options.handlers.onError, (callback) => callbackScope.run(this, callback));
  }


  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(), ms);
      const finish = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      this.wakeUp = finish;
    });
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
