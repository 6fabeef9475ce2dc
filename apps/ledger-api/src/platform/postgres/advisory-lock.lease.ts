import { hostname } from 'node:os';
import { Client } from 'pg';

export interface AdvisoryLockLeaseOptions {
  connectionString: string;
  /** What the lease is for, e.g. `incident-ledger:projector`; replicas that name the same lease compete for it. */
  name: string;
  /** How often a replica without the lease asks for it again (default 1 s): the takeover delay after a holder dies. */
  retryMs?: number;
  /** How often the holder checks that its session, hence its lock, still exists (default 1 s). */
  checkMs?: number;
  /**
   * PostgreSQL ends a session idle this long (default 10 s), which releases its lock: a holder that froze (a paused VM,
   * a stuck event loop) or whose network went silent loses the lease to another replica, and finds out at its next
   * check. Must be well above checkMs.
   */
  idleSessionTimeoutMs?: number;
  /** Called when this replica takes the lease: start the work only one replica may do. */
  onAcquired: () => void | Promise<void>;
  /** Called when the lease is gone (its session ended, or stop()): stop that work at once. */
  onLost: (reason: string) => void | Promise<void>;
  log?: { warn(message: string): void };
}

/**
 * Leadership among ledger replicas by a PostgreSQL session-level advisory lock (pg_try_advisory_lock): whoever holds
 * the lock holds the lease, for as long as its session lives. A holder that dies (even by SIGKILL) closes its
 * connection, PostgreSQL ends the session and frees the lock, and the next replica to ask (every `retryMs`) takes it.
 * A holder whose session ends under it (network cut, idle timeout after a freeze, pg_terminate_backend) learns it at
 * its next check and calls onLost: between those two moments both may act, so the work itself must still be guarded
 * (a checkpoint written with the revision it expects, a read-model checkpoint compared in its transaction).
 */
export class AdvisoryLockLease {
  private client: Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private holding = false;
  private stopped = true;
  private busy: Promise<void> = Promise.resolve();
  private readonly retryMs: number;
  private readonly checkMs: number;
  private readonly idleSessionTimeoutMs: number;
  private lastProblem: string | undefined;

  constructor(private readonly options: AdvisoryLockLeaseOptions) {
    this.retryMs = options.retryMs ?? 1_000;
    this.checkMs = options.checkMs ?? 1_000;
    this.idleSessionTimeoutMs = options.idleSessionTimeoutMs ?? 10_000;
    if (this.idleSessionTimeoutMs < 2 * this.checkMs) throw new RangeError('idleSessionTimeoutMs must be at least twice checkMs');
  }

  get held(): boolean {
    return this.holding;
  }

  start(): this {
    if (!this.stopped) return this;
    this.stopped = false;
    this.schedule(0);
    return this;
  }

  /** Gives the lease up (unlocking it at once, so another replica need not wait for a timeout) and stops asking. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.busy;
    const client = this.client;
    this.client = undefined;
    if (client) {
      await client.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
      await client.end().catch(() => undefined);
    }
    if (this.holding) await this.lose('stopped');
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.busy = this.turn().finally(() => this.schedule(this.holding ? this.checkMs : this.retryMs));
    }, delayMs);
    this.timer.unref();
  }

  private async turn(): Promise<void> {
    try {
      const client = await this.connection();
      if (this.holding) {
        await client.query('SELECT 1');
        return;
      }
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [this.options.name]);
      this.lastProblem = undefined;
      if (rows[0]?.locked && !this.stopped) {
        this.holding = true;
        await this.options.onAcquired();
      }
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      const client = this.client;
      this.client = undefined;
      client?.end().catch(() => undefined);
      if (this.holding) await this.lose(`its PostgreSQL session ended (${problem})`);
      else if (problem !== this.lastProblem) this.options.log?.warn(`lease ${this.options.name}: cannot ask PostgreSQL for it (${problem}); retrying`);
      this.lastProblem = problem;
    }
  }

  private async connection(): Promise<Client> {
    if (this.client) return this.client;
    const client = new Client({
      connectionString: this.options.connectionString,
      keepAlive: true,
      // The server drops a frozen or silent holder's session, which frees its lock for the others.
      options: `-c idle_session_timeout=${this.idleSessionTimeoutMs} -c tcp_keepalives_idle=5 -c tcp_keepalives_interval=2 -c tcp_keepalives_count=3`,
      // Names the holder in pg_stat_activity, so an operator (or a test) can tell which replica holds the lock.
      application_name: `ledger ${process.pid}@${hostname()} lease ${this.options.name}`.slice(0, 63),
      connectionTimeoutMillis: 5_000,
      query_timeout: 5_000,
    });
    client.on('error', () => undefined);
    await client.connect();
    this.client = client;
    return client;
  }

  private async lose(reason: string): Promise<void> {
    this.holding = false;
    await this.options.onLost(reason);
  }
}
