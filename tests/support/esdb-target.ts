// Where the EventStoreDB tests run: the in-repo wire double (default) or the real server named by
// EVENTSTORE_TEST_CONNECTION_STRING, so that the same tests that validate the adapter also validate the double.
import { BACKWARDS, END, EventStoreDBClient, START, StreamNotFoundError, type ResolvedEvent } from '@eventstore/db-client';
import { startEsdbDouble, type EsdbDouble, type EsdbDoubleOptions } from '../esdb-double';

export const SERVER_VARIABLE = 'EVENTSTORE_TEST_CONNECTION_STRING';
export const SECURE_VARIABLE = 'EVENTSTORE_TEST_SECURE';

/** The real server under test, or undefined: the double. */
export const REAL_SERVER: string | undefined = process.env[SERVER_VARIABLE]?.trim() || undefined;
/**
 * Whether that server is a secure node (TLS, anonymous refused, credentials of a `$admins` member in the connection
 * string). Stated by EVENTSTORE_TEST_SECURE=1 rather than guessed from the connection string, because an insecure node
 * reached with `tls=true` is a misconfiguration the tests should not paper over.
 */
export const REAL_SERVER_IS_SECURE = !!REAL_SERVER && process.env[SECURE_VARIABLE] === '1';

/** Options only the double can honour: a real server has its own settings and append path. */
const DOUBLE_ONLY_OPTIONS: ReadonlyArray<keyof EsdbDoubleOptions> = [
  'mode',
  'legacyServerFeatures',
  'serverVersion',
  'projections',
  'seedSystemEvents',
  'writeTimeoutMs',
  'maxAppendSize',
  'users',
  'port',
];

/** An event as stored, read back through the client (JSON data and metadata parsed, binary as bytes). */
export interface StoredEvent {
  stream: string;
  revision: bigint;
  id: string;
  type: string;
  position: bigint;
  data: unknown;
  metadata: unknown;
}

export interface EsdbTarget {
  readonly kind: 'double' | 'server';
  /** What a client should connect with: for a secure target, with the credentials of a `$admins` member. */
  readonly connectionString: string;
  /** The same node with no credentials. */
  readonly anonymousConnectionString: string;
  /** The same node as another user. */
  connectionStringAs(username: string, password: string): string;
  /** host:port of the first (or only) node, for raw gRPC clients. */
  readonly address: string;
  /** The double, or undefined on a real server; see `doubleOf` for tests registered with `itOnDouble`. */
  readonly double: EsdbDouble | undefined;
  /** A raw client on `connectionString` (or another one), disposed by `close()`. */
  client(connectionString?: string): EventStoreDBClient;
  /** $all in order, through the client (system events and, on a real node with projections, link events included). */
  events(): Promise<StoredEvent[]>;
  /** The events of the ledger's own streams (incidents, parties, integrity, audit) in $all, in order. */
  ledgerEvents(): Promise<StoredEvent[]>;
  /** One stream through the client; [] when it does not exist. */
  streamEvents(stream: string): Promise<StoredEvent[]>;
  /** The position of the last event in $all now. */
  lastPosition(): Promise<bigint>;
  /**
   * Writes events as another application (or an intruder) would, bypassing the ledger: on the double straight into
   * its log, on a real server through the client with expected revision `any`.
   */
  appendForeign(stream: string, events: Array<{ type: string; data?: unknown; metadata?: unknown; id?: string }>): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a double with these options, or uses the configured server. On a real server, options that only the double
 * can honour are refused (register the test with `itOnDouble`/`describeOnDouble` instead), and `access: 'secure'`
 * requires EVENTSTORE_TEST_SECURE=1.
 */
export async function startEsdbTarget(options: EsdbDoubleOptions = {}): Promise<EsdbTarget> {
  // A run meant for a real server must not pass on the double instead.
  if (!REAL_SERVER && process.env.EVENTSTORE_TEST_REQUIRED === '1') {
    throw new Error(`EVENTSTORE_TEST_REQUIRED=1 and ${SERVER_VARIABLE} is not set: these tests would run against the double, not a real server`);
  }
  if (!REAL_SERVER) return new Target('double', await startEsdbDouble(options), options.access === 'secure');
  const unsupported = DOUBLE_ONLY_OPTIONS.filter((key) => options[key] !== undefined);
  if (unsupported.length) throw new Error(`${unsupported.join(', ')}: only the double has ${unsupported.length > 1 ? 'these options' : 'this option'}; register the test with itOnDouble or describeOnDouble`);
  if ((options.access === 'secure') !== REAL_SERVER_IS_SECURE) {
    throw new Error(options.access === 'secure' ? `a secure node is needed and ${SECURE_VARIABLE}=1 is not set` : `the test expects an insecure node and ${SECURE_VARIABLE}=1 says the server is secure`);
  }
  return new Target('server', undefined, REAL_SERVER_IS_SECURE);
}

/** Streams a ledger writes: its categories and its own integrity and audit streams. */
const LEDGER_STREAM = /^(incident-|party-|integrity-|audit-)/;

/**
 * A target for a ledger to run on. The ledger's stream names are fixed (`party-<slug>`, `integrity-checkpoints`, ids
 * derived from the principal and the Idempotency-Key), so two runs on one node would meet each other's events: on a
 * real server this refuses, with what to do, a node that already holds ledger streams.
 */
export async function startEsdbTargetForLedger(options: EsdbDoubleOptions = {}): Promise<EsdbTarget> {
  const target = await startEsdbTarget(options);
  if (target.kind === 'server') {
    const found = await target.ledgerEvents().catch(async (error: unknown) => {
      await target.close();
      throw error;
    });
    if (found.length > 0) {
      await target.close();
      throw new Error(
        `${redact(REAL_SERVER!)} already holds ledger streams (${found[0].stream}, ${found.length} events): a ledger suite needs a node of its own; start a fresh one (e.g. a throwaway container with EVENTSTORE_MEM_DB=true) for each suite file`,
      );
    }
  }
  return target;
}

/** The double behind a target, for tests that only run on it (registered with itOnDouble / describeOnDouble). */
export function doubleOf(target: EsdbTarget): EsdbDouble {
  if (!target.double) throw new Error('this test needs the double; register it with itOnDouble or describeOnDouble');
  return target.double;
}

/** An `it` that needs the double's control API (stop/restart/injectFault/appendDirect/counters); skipped, with the reason printed, on a real server. */
export function itOnDouble(title: string, reason: string, fn: jest.ProvidesCallback, timeout?: number): void {
  if (!REAL_SERVER) return it(title, fn, timeout);
  announceSkip(title, reason);
  it.skip(title, fn, timeout);
}

/** A `describe` whose tests all need the double; skipped, with the reason printed, on a real server. */
export function describeOnDouble(title: string, reason: string, fn: () => void): void {
  if (!REAL_SERVER) return describe(title, fn);
  announceSkip(title, reason);
  describe.skip(title, quietly(fn));
}

/** A `describe` that needs a secure node: the double in secure mode, or a real server only with EVENTSTORE_TEST_SECURE=1. */
export function describeOnSecureNode(title: string, fn: () => void): void {
  if (!REAL_SERVER || REAL_SERVER_IS_SECURE) return describe(title, fn);
  announceSkip(title, `needs a secure node; set ${SECURE_VARIABLE}=1 if the server is one (TLS, credentials of a $admins member in the connection string)`);
  describe.skip(title, quietly(fn));
}

/** A `describe` that needs an insecure node (anonymous clients allowed): skipped on a server said to be secure. */
export function describeOnInsecureNode(title: string, fn: () => void): void {
  if (!REAL_SERVER_IS_SECURE) return describe(title, fn);
  announceSkip(title, `needs an insecure node and ${SECURE_VARIABLE}=1 says the server is secure`);
  describe.skip(title, quietly(fn));
}

let insideSkipped = false;

/** Registers a skipped block's tests without announcing the skips inside it again (describe runs fn at once). */
const quietly = (fn: () => void) => () => {
  const outer = insideSkipped;
  insideSkipped = true;
  try {
    fn();
  } finally {
    insideSkipped = outer;
  }
};

function announceSkip(title: string, reason: string): void {
  if (insideSkipped) return;
  // Printed while the file loads, so the run's output says what did not run on the real server and why.
  process.stdout.write(`[esdb-target] SKIPPED on ${redact(REAL_SERVER!)}: "${title}": ${reason}\n`);
}

/** The connection string without the password, for output. */
export function redact(connectionString: string): string {
  return connectionString.replace(/^([a-z+]+:\/\/)([^:@/]*):[^@/]*@/i, '$1$2:***@');
}

const AUTHORITY = /^([a-z+]+:\/\/)(?:[^@/?]*@)?([^/?]*)(.*)$/i;

/** Replaces (or removes, with undefined) the user info of an esdb:// connection string; several hosts are kept. */
export function withCredentials(connectionString: string, credentials: { username: string; password: string } | undefined): string {
  const match = AUTHORITY.exec(connectionString);
  if (!match) throw new Error(`not an esdb:// connection string: ${redact(connectionString)}`);
  const [, scheme, hosts, rest] = match;
  const userInfo = credentials ? `${encodeURIComponent(credentials.username)}:${encodeURIComponent(credentials.password)}@` : '';
  return `${scheme}${userInfo}${hosts}${rest}`;
}

class Target implements EsdbTarget {
  private readonly clients: EventStoreDBClient[] = [];

  constructor(
    readonly kind: 'double' | 'server',
    readonly double: EsdbDouble | undefined,
    private readonly secure: boolean,
  ) {}

  get connectionString(): string {
    if (this.double) return this.secure ? this.double.connectionStringAs('admin', 'changeit') : this.double.connectionString;
    return REAL_SERVER!;
  }

  get anonymousConnectionString(): string {
    return this.double ? this.double.connectionString : withCredentials(REAL_SERVER!, undefined);
  }

  connectionStringAs(username: string, password: string): string {
    return this.double ? this.double.connectionStringAs(username, password) : withCredentials(REAL_SERVER!, { username, password });
  }

  get address(): string {
    return AUTHORITY.exec(this.anonymousConnectionString)![2].split(',')[0];
  }

  client(connectionString = this.connectionString): EventStoreDBClient {
    const client = EventStoreDBClient.connectionString(connectionString);
    this.clients.push(client);
    return client;
  }

  private readerClient: EventStoreDBClient | undefined;

  /** The target's own client, on `connectionString` (a test's first client may be an anonymous one). */
  private get reader(): EventStoreDBClient {
    return (this.readerClient ??= this.client());
  }

  async events(): Promise<StoredEvent[]> {
    return collect(this.reader.readAll({ fromPosition: START, maxCount: Number.MAX_SAFE_INTEGER }));
  }

  async ledgerEvents(): Promise<StoredEvent[]> {
    return (await this.events()).filter((e) => LEDGER_STREAM.test(e.stream));
  }

  async streamEvents(stream: string): Promise<StoredEvent[]> {
    try {
      return await collect(this.reader.readStream(stream));
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  }

  async lastPosition(): Promise<bigint> {
    const [last] = await collect(this.reader.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }));
    return last?.position ?? 0n;
  }

  async appendForeign(stream: string, events: Array<{ type: string; data?: unknown; metadata?: unknown; id?: string }>): Promise<void> {
    if (this.double) return this.double.appendDirect(stream, events);
    const { jsonEvent } = await import('@eventstore/db-client');
    await this.reader.appendToStream(
      stream,
      events.map((e) => jsonEvent({ id: e.id, type: e.type, data: (e.data ?? {}) as Record<string, unknown>, metadata: e.metadata as Record<string, unknown> | undefined })),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((c) => c.dispose().catch(() => undefined)));
    await this.double?.close();
  }
}

async function collect(read: AsyncIterable<ResolvedEvent>): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const resolved of read) {
    const e = resolved.event;
    if (!e) continue;
    out.push({ stream: e.streamId, revision: e.revision, id: e.id, type: e.type, position: e.position?.commit ?? -1n, data: e.data, metadata: e.metadata });
  }
  return out;
}
