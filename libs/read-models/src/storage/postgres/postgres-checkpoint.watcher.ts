import { Client } from 'pg';
import { PositionWaiters } from '../../runner/position-waiters';
import { CHECKPOINT_CHANNEL } from './postgres-read-model.store';

export interface PostgresCheckpointWatcherOptions {
  connectionString: string;
  schema: string;
  checkpointName: string;
  /** Reads the stored checkpoint (the fallback when a notification is missed or the listening connection is down). */
  readCheckpoint: () => Promise<bigint | undefined>;
  /** How often the checkpoint is read while someone waits (default 500 ms). */
  pollIntervalMs?: number;
  /** First reconnect of the listening connection after it is lost; doubled each time up to 30 s. */
  reconnectMs?: number;
  logger?: { log(message: string): void; error(message: string): void };
}

/**
 * The read models' checkpoint as stored in PostgreSQL, whoever writes it (this process's runner or another replica's):
 * it LISTENs for the notification each checkpoint commit sends, and reads the row while anyone waits, in case a
 * notification is lost with its connection. Read-your-writes waits here, so a write is answered once the shared read
 * models show it, wherever they are projected.
 */
export class PostgresCheckpointWatcher {
  private readonly waiters = new PositionWaiters();
  private known: bigint | undefined;
  private listener: Client | undefined;
  private listening = false;
  private stopped = true;
  private poller: NodeJS.Timeout | undefined;
  private reconnect: NodeJS.Timeout | undefined;
  private reconnectDelay: number;
  private readonly pollIntervalMs: number;

  constructor(private readonly options: PostgresCheckpointWatcherOptions) {
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.reconnectDelay = options.reconnectMs ?? 500;
  }

  /** Starts listening (a failure only leaves the polling); resolves once the stored checkpoint was read once. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.listen();
    await this.poll();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.poller) clearInterval(this.poller);
    if (this.reconnect) clearTimeout(this.reconnect);
    this.poller = undefined;
    this.reconnect = undefined;
    const listener = this.listener;
    this.listener = undefined;
    this.listening = false;
    await listener?.end().catch(() => undefined);
  }

  /** The stored checkpoint as last heard or read; undefined before the first read. */
  position(): bigint | undefined {
    return this.known;
  }

  /** Whether notifications arrive now (otherwise only the polling moves the position). */
  isListening(): boolean {
    return this.listening;
  }

  /** Resolves once the stored checkpoint reaches `position`; rejects with ReadModelTimeoutError after `timeoutMs`. */
  waitFor(position: bigint, timeoutMs: number): Promise<void> {
    if (this.known !== undefined && this.known >= position) return Promise.resolve();
    const waiting = this.waiters.wait(position, timeoutMs, () => this.known ?? 0n);
    this.poller ??= setInterval(() => void this.poll(), this.pollIntervalMs).unref();
    return waiting;
  }

  private observe(position: bigint): void {
    // A rebuild rewinds the checkpoint: the position follows it down, and a write waits until it is replayed.
    this.known = position;
    this.waiters.resolveUpTo(position);
  }

  private async poll(): Promise<void> {
    try {
      this.observe((await this.options.readCheckpoint()) ?? 0n);
    } catch {
      // PostgreSQL is away: the waits time out as they would behind a slow projector, and readiness says why.
    }
    if (!this.waiters.waiting() && this.poller) {
      clearInterval(this.poller);
      this.poller = undefined;
    }
  }

  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.options.connectionString, application_name: `incident-ledger-checkpoints:${this.options.schema}`.slice(0, 63) });
    const lost = (error?: unknown) => {
      if (this.listener !== client) return;
      this.listener = undefined;
      this.listening = false;
      void client.end().catch(() => undefined);
      if (this.stopped) return;
      this.options.logger?.error(`Read models: checkpoint notifications lost (${error instanceof Error ? error.message : 'connection ended'}); polling meanwhile, reconnecting in ${this.reconnectDelay} ms`);
      this.reconnect = setTimeout(() => void this.listen(), this.reconnectDelay).unref();
      this.reconnectDelay = Math.min(30_000, this.reconnectDelay * 2);
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (message) => {
      const [schema, name, position] = (message.payload ?? '').split(' ');
      if (schema === this.options.schema && name === this.options.checkpointName && /^\d+$/.test(position ?? '')) this.observe(BigInt(position));
    });
    this.listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${CHECKPOINT_CHANNEL}`);
      this.listening = true;
      this.reconnectDelay = this.options.reconnectMs ?? 500;
      // What was committed before LISTEN took effect is read once.
      await this.poll();
    } catch (error) {
      lost(error);
    }
  }
}
