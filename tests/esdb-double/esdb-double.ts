// An in-process gRPC test double of EventStoreDB 24.10, speaking the wire protocol of @eventstore/db-client 6.x
// with the client's own generated service definitions. See README.md beside this file for what it implements,
// which EventStoreDB source or document each behaviour follows, and what it does not implement.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import {
  grpc,
  streamsPb,
  sharedPb,
  codePb,
  serverFeaturesPb,
  gossipPb,
  StreamsService,
  ServerFeaturesService,
  GossipService,
  GoogleEmpty,
  canonicalUuid,
  rpcError,
  rpcStatus,
  streamIdentifier,
  streamNameOf,
  uuidMessage,
  uuidText,
  type RpcErrorShape,
} from './proto';
import { supportedMethods2410 } from './server-features';
import { DEFAULT_USERS, NodeAccess, isRpcErrorShape, type Caller, type EsdbDoubleUser } from './access';
import {
  EventLog,
  compileFilter,
  visibleInAll,
  type AppendOutcome,
  type ExpectedRevision,
  type ProposedEvent,
  type RecordedEvent,
} from './store';

type ReadReq = streamsPb.ReadReq;
type ReadResp = streamsPb.ReadResp;
const { ReadReq, ReadResp, AppendResp, BatchAppendResp, TombstoneResp } = streamsPb;
const ReadOptions = streamsPb.ReadReq.Options;

export type EsdbDoubleMode = 'current' | 'legacy';
export type StopHow = 'crash' | 'cancel-calls';
export type EsdbFault = 'not-leader' | 'server-not-ready' | 'access-denied' | 'timeout';
export type RpcName =
  | 'ServerFeatures.GetSupportedMethods'
  | 'Gossip.Read'
  | 'Streams.Read'
  | 'Streams.Append'
  | 'Streams.BatchAppend'
  | 'Streams.Delete'
  | 'Streams.Tombstone';

export interface EsdbDoubleOptions {
  /** 0 (default) picks a free port. The double only ever binds 127.0.0.1. */
  port?: number;
  /**
   * 'current' (default): answers ServerFeatures exactly as EventStoreDB 24.10 does, so the client appends
   * through BatchAppend. 'legacy': behaves like a server without BatchAppend, so the client uses Append.
   */
  mode?: EsdbDoubleMode;
  /** In legacy mode: 'unimplemented' (default, like 20.x servers: no ServerFeatures service at all) or
   *  'without-batch-append' (ServerFeatures answers, but lists no streams/batchappend). */
  legacyServerFeatures?: 'unimplemented' | 'without-batch-append';
  /** event_store_server_version in ServerFeatures (default "24.10.0"). */
  serverVersion?: string;
  /** Whether the projections subsystem is "running" (adds the Projections service to ServerFeatures). Default true. */
  projections?: boolean;
  /** Write the system events a fresh node has ($settings, $users, $$$scavenges ...). Default true. */
  seedSystemEvents?: boolean;
  /** Server-side write timeout (EventStoreDB's WriteTimeoutMs, default 2000). */
  writeTimeoutMs?: number;
  /** MaxAppendSize, default 1 MiB as in ClusterVNodeOptions. */
  maxAppendSize?: number;
  /**
   * 'insecure' (default): like a node started with EVENTSTORE_INSECURE=true, every call is allowed.
   * 'secure': TLS, and authentication and stream access as a secure 24.10 node enforces them by default (see
   * access.ts): anonymous calls are refused, `$all` is read by `$admins` only, a wrong password is UNAUTHENTICATED.
   * TLS is needed because the client never sends credentials over a `tls=false` connection. The certificate is a
   * test one (tls/, 127.0.0.1 and localhost); `connectionString` carries `tlsCAFile` pointing at its CA.
   */
  access?: 'insecure' | 'secure';
  /** Users beside the default `admin` and `ops` (password "changeit") in 'secure' mode. */
  users?: EsdbDoubleUser[];
}

export interface EsdbDoubleEvent {
  stream: string;
  revision: bigint;
  id: string;
  type: string;
  position: bigint;
  isJson: boolean;
  data: Uint8Array;
  metadata: Uint8Array;
  created: Date;
}

export interface EsdbDouble {
  /** esdb://127.0.0.1:<port>?tls=false; secure: esdb://127.0.0.1:<port>?tls=true&tlsCAFile=<the test CA> */
  readonly connectionString: string;
  /** The connection string with a user's credentials in it: esdb://user:password@127.0.0.1:<port>?… */
  connectionStringAs(username: string, password: string): string;
  readonly host: string;
  readonly port: number;
  readonly mode: EsdbDoubleMode;
  readonly running: boolean;
  /** Events appended through the gRPC API since the double was created (seeded system events excluded). */
  readonly appendedCount: number;
  /** RPCs started, per method (counted at call start, failed ones included). */
  readonly calls: Readonly<Record<RpcName, number>>;
  /** Completed write requests per path: one per appendToStream call that reached the store. */
  readonly writes: Readonly<{ append: number; batchAppend: number }>;
  /**
   * Abrupt stop; data is kept and the port is closed, so new calls fail with UNAVAILABLE (connection refused).
   * 'crash' (default): every client connection is reset, as when the node's process dies or the network is cut;
   * open calls fail with UNAVAILABLE. 'cancel-calls': the gRPC server cancels its open calls first (RST_STREAM
   * CANCEL), as a server shutting down its calls does; open calls fail with CANCELLED.
   */
  stop(how?: StopHow): Promise<void>;
  /** Starts again on the same port with the same data. */
  restart(): Promise<void>;
  /** Final stop (same as stop; the double can still be restarted). */
  close(): Promise<void>;
  /** Snapshot of the global log in order, system events included ($epoch-information excluded). */
  events(): EsdbDoubleEvent[];
  /**
   * Appends directly to the log (no gRPC, expected revision any), e.g. to put foreign or system events into $all.
   * `data`/`metadata`: objects are written as JSON; strings and Uint8Arrays as raw bytes (not JSON), like the
   * "0@stream" body of a `$>` link event.
   */
  appendDirect(stream: string, events: Array<{ type: string; data?: unknown; metadata?: unknown; id?: string }>): void;
  /** Makes the next `times` append writes (Append or BatchAppend) or Read calls fail the way EventStoreDB fails them. */
  injectFault(target: 'append' | 'read', fault: EsdbFault, times?: number): void;
  /** Drops the faults not yet taken (e.g. the retries a test allowed for but the client did not make). */
  clearFaults(): void;
  /** Number of Read calls (reads and subscriptions) currently open. */
  readonly openReads: number;
}

const LOOPBACK = '127.0.0.1';
const TLS_DIR = join(__dirname, 'tls');
const TEST_CA_FILE = join(TLS_DIR, 'ca.crt');
const DEBUG = !!process.env.ESDB_DOUBLE_DEBUG;
function debug(...args: unknown[]): void {
  if (DEBUG) process.stderr.write(`[esdb-double ${Date.now() % 100000}] ${args.map(String).join(' ')}\n`);
}
const READ_BATCH_SIZE = 32; // Enumerator.ReadBatchSize
const YIELD_EVERY = 256;

function emptyCalls(): Record<RpcName, number> {
  return {
    'ServerFeatures.GetSupportedMethods': 0,
    'Gossip.Read': 0,
    'Streams.Read': 0,
    'Streams.Append': 0,
    'Streams.BatchAppend': 0,
    'Streams.Delete': 0,
    'Streams.Tombstone': 0,
  };
}

function jsonBytes(value: unknown): Uint8Array {
  if (value === undefined) return new Uint8Array(0);
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return Buffer.from(JSON.stringify(value), 'utf8');
}

class InvalidArgument extends Error {}

/** StreamRevision / AnyStreamRevision values as the server logs them in errors (ExpectedVersion constants). */
/**
 * The expected revision set in an Options message's oneof, given the numbers of its revision, no-stream, any and
 * stream-exists cases (Append, BatchAppend and Tombstone number them differently); undefined for any other case.
 */
function expectedRevisionOf(
  setCase: number,
  [revisionCase, noStreamCase, anyCase, streamExistsCase]: [number, number, number, number],
  revision: () => string | number,
): ExpectedRevision | undefined {
  switch (setCase) {
    case revisionCase:
      return { kind: 'revision', revision: BigInt(revision()) };
    case noStreamCase:
      return { kind: 'no_stream' };
    case anyCase:
      return { kind: 'any' };
    case streamExistsCase:
      return { kind: 'stream_exists' };
    default:
      return undefined;
  }
}

function expectedVersionNumber(e: ExpectedRevision): bigint {
  switch (e.kind) {
    case 'any':
      return -2n;
    case 'no_stream':
      return -1n;
    case 'stream_exists':
      return -4n;
    case 'revision':
      return e.revision;
  }
}

/** One run of the gRPC server, between start() and stop(); aborting it ends every loop of that run. */
class Generation {
  aborted = false;
  private readonly waiters = new Set<() => void>();
  abort(): void {
    this.aborted = true;
    for (const w of [...this.waiters]) w();
    this.waiters.clear();
  }
  /** Calls `fn` once when the run is aborted; returns the unsubscribe function. */
  onAbort(fn: () => void): () => void {
    if (this.aborted) {
      fn();
      return () => undefined;
    }
    this.waiters.add(fn);
    return () => this.waiters.delete(fn);
  }
}

class EsdbDoubleImpl implements EsdbDouble {
  readonly host = LOOPBACK;
  port: number;
  readonly mode: EsdbDoubleMode;
  private readonly opts: Required<EsdbDoubleOptions>;
  private readonly access: NodeAccess | undefined;
  private readonly log = new EventLog();
  private server: grpc.Server | undefined;
  private relay: { server: net.Server; sockets: Set<net.Socket> } | undefined;
  private generation = new Generation();
  private readonly callCounts = emptyCalls();
  private readonly writeCounts = { append: 0, batchAppend: 0 };
  private readonly faults: Array<{ target: 'append' | 'read'; fault: EsdbFault; remaining: number }> = [];
  private readonly instanceId = randomUUID();
  openReads = 0;

  constructor(options: EsdbDoubleOptions) {
    this.opts = {
      port: options.port ?? 0,
      mode: options.mode ?? 'current',
      legacyServerFeatures: options.legacyServerFeatures ?? 'unimplemented',
      serverVersion: options.serverVersion ?? '24.10.0',
      projections: options.projections ?? true,
      seedSystemEvents: options.seedSystemEvents ?? true,
      writeTimeoutMs: options.writeTimeoutMs ?? 2000,
      maxAppendSize: options.maxAppendSize ?? 1024 * 1024,
      access: options.access ?? 'insecure',
      users: options.users ?? [],
    };
    this.access = this.opts.access === 'secure' ? new NodeAccess([...DEFAULT_USERS, ...this.opts.users]) : undefined;
    this.mode = this.opts.mode;
    this.port = this.opts.port;
    if (this.opts.seedSystemEvents) this.seed();
  }

  get connectionString(): string {
    return `esdb://${LOOPBACK}:${this.port}?${this.tlsQuery()}`;
  }
  connectionStringAs(username: string, password: string): string {
    return `esdb://${encodeURIComponent(username)}:${encodeURIComponent(password)}@${LOOPBACK}:${this.port}?${this.tlsQuery()}`;
  }
  private tlsQuery(): string {
    return this.access ? `tls=true&tlsCAFile=${encodeURIComponent(TEST_CA_FILE)}` : 'tls=false';
  }

  /** Insecure: everyone is an admin. Secure: the call's caller, or the error that ends it before its handler. */
  private caller(call: { metadata: grpc.Metadata }): Caller | RpcErrorShape {
    if (!this.access) return { kind: 'user', user: DEFAULT_USERS[0] };
    return this.access.authenticate(call.metadata);
  }

  private streamAccess(caller: Caller, stream: string, operation: 'read' | 'write' | 'delete'): RpcErrorShape | undefined {
    return this.access?.checkStream(caller, stream, operation);
  }
  get running(): boolean {
    return this.server !== undefined;
  }
  get appendedCount(): number {
    return this.log.clientAppendedCount;
  }
  get calls(): Readonly<Record<RpcName, number>> {
    return { ...this.callCounts };
  }
  get writes(): Readonly<{ append: number; batchAppend: number }> {
    return { ...this.writeCounts };
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * The gRPC server binds an ephemeral loopback port; a TCP relay on the public port forwards to it. The relay is
   * what lets stop() cut connections the way a crash does, and restart() come back on the same port.
   */
  async start(): Promise<void> {
    if (this.server) return;
    const server = this.buildServer();
    const internalPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${LOOPBACK}:0`, this.serverCredentials(), (err, port) => (err ? reject(err) : resolve(port))),
    );
    const sockets = new Set<net.Socket>();
    const relay = net.createServer((downstream) => {
      const upstream = net.connect(internalPort, LOOPBACK);
      for (const s of [downstream, upstream]) {
        sockets.add(s);
        s.setNoDelay(true);
        s.on('error', () => undefined);
        s.on('close', () => sockets.delete(s));
      }
      // A reset on either side resets the other, as one TCP connection would (pipe() only forwards a clean end).
      downstream.on('close', (hadError) => (hadError ? upstream.resetAndDestroy() : upstream.end()));
      upstream.on('close', (hadError) => (hadError ? downstream.resetAndDestroy() : downstream.end()));
      downstream.pipe(upstream);
      upstream.pipe(downstream);
    });
    try {
      await new Promise<void>((resolve, reject) => {
        relay.once('error', reject);
        relay.listen(this.port, LOOPBACK, () => {
          relay.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      server.forceShutdown();
      throw err;
    }
    this.port = (relay.address() as net.AddressInfo).port;
    this.server = server;
    this.relay = { server: relay, sockets };
  }

  private serverCredentials(): grpc.ServerCredentials {
    if (!this.access) return grpc.ServerCredentials.createInsecure();
    return grpc.ServerCredentials.createSsl(null, [
      { cert_chain: readFileSync(join(TLS_DIR, 'node.crt')), private_key: readFileSync(join(TLS_DIR, 'node.key')) },
    ]);
  }

  private buildServer(): grpc.Server {
    const server = new grpc.Server({ 'grpc.max_receive_message_length': 17 * 1024 * 1024 });
    this.generation = new Generation();
    const gen = this.generation;
    server.addService(StreamsService, {
      read: (call: grpc.ServerWritableStream<ReadReq, ReadResp>) => void this.read(call, gen),
      append: (
        call: grpc.ServerReadableStream<streamsPb.AppendReq, streamsPb.AppendResp>,
        cb: grpc.sendUnaryData<streamsPb.AppendResp>,
      ) => this.append(call, cb),
      batchAppend: (call: grpc.ServerDuplexStream<streamsPb.BatchAppendReq, streamsPb.BatchAppendResp>) => this.batchAppend(call, gen),
      delete: (_call: grpc.ServerUnaryCall<streamsPb.DeleteReq, streamsPb.DeleteResp>, cb: grpc.sendUnaryData<streamsPb.DeleteResp>) => {
        this.callCounts['Streams.Delete']++;
        cb(rpcError(grpc.status.UNIMPLEMENTED, 'Soft delete is not implemented by the EventStoreDB test double'));
      },
      tombstone: (
        call: grpc.ServerUnaryCall<streamsPb.TombstoneReq, streamsPb.TombstoneResp>,
        cb: grpc.sendUnaryData<streamsPb.TombstoneResp>,
      ) => this.tombstone(call, cb),
    });
    const advertisesFeatures = this.mode === 'current' || this.opts.legacyServerFeatures === 'without-batch-append';
    if (advertisesFeatures) {
      server.addService(ServerFeaturesService, {
        getSupportedMethods: (
          call: grpc.ServerUnaryCall<sharedPb.Empty, serverFeaturesPb.SupportedMethods>,
          cb: grpc.sendUnaryData<serverFeaturesPb.SupportedMethods>,
        ) => {
          this.callCounts['ServerFeatures.GetSupportedMethods']++;
          const caller = this.caller(call);
          if (isRpcErrorShape(caller)) return cb(caller);
          cb(null, this.supportedMethods());
        },
      });
    }
    server.addService(GossipService, {
      read: (call: grpc.ServerUnaryCall<sharedPb.Empty, gossipPb.ClusterInfo>, cb: grpc.sendUnaryData<gossipPb.ClusterInfo>) => {
        this.callCounts['Gossip.Read']++;
        // Gossip's client read stays anonymous (OverrideAnonymousEndpointAccessForGossip), but a wrong password is not.
        const caller = this.caller(call);
        if (isRpcErrorShape(caller)) return cb(caller);
        cb(null, this.clusterInfo());
      },
    });
    return server;
  }

  async stop(how: StopHow = 'crash'): Promise<void> {
    const server = this.server;
    const relay = this.relay;
    if (!server || !relay) return;
    this.server = undefined;
    this.relay = undefined;
    const closed = new Promise<void>((resolve) => relay.server.close(() => resolve()));
    if (how === 'cancel-calls') {
      // RST_STREAM(CANCEL) on every open call and GOAWAY, relayed to the clients before the sockets go.
      server.forceShutdown();
      this.generation.abort();
      await new Promise((r) => setTimeout(r, 20));
      for (const s of relay.sockets) s.destroy();
    } else {
      // TCP reset of every connection: the clients see ECONNRESET, as when the node dies.
      for (const s of relay.sockets) s.resetAndDestroy();
      this.generation.abort();
      server.forceShutdown();
    }
    await closed;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  close(): Promise<void> {
    return this.stop();
  }

  events(): EsdbDoubleEvent[] {
    return this.log.all.filter(visibleInAll).map((e) => ({
      stream: e.stream,
      revision: e.revision,
      id: e.id,
      type: e.type,
      position: e.position,
      isJson: e.isJson,
      data: e.data,
      metadata: e.metadata,
      created: new Date(Number(e.created / 10_000n)),
    }));
  }

  appendDirect(stream: string, events: Array<{ type: string; data?: unknown; metadata?: unknown; id?: string }>): void {
    this.log.append(
      stream,
      { kind: 'any' },
      events.map((e) => ({
        id: canonicalUuid(e.id ?? randomUUID())!,
        type: e.type,
        isJson: !(e.data instanceof Uint8Array) && typeof e.data !== 'string',
        data: jsonBytes(e.data ?? {}),
        metadata: jsonBytes(e.metadata),
      })),
      false,
    );
  }

  injectFault(target: 'append' | 'read', fault: EsdbFault, times = 1): void {
    this.faults.push({ target, fault, remaining: times });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  private takeFault(target: 'append' | 'read'): EsdbFault | undefined {
    const f = this.faults.find((x) => x.target === target && x.remaining > 0);
    if (!f) return undefined;
    f.remaining--;
    return f.fault;
  }

  /** RpcExceptions.* for the NotHandled / access / timeout cases (src/EventStore.Core/Services/Transport/Grpc/RpcExceptions.cs). */
  private faultError(fault: EsdbFault): RpcErrorShape {
    switch (fault) {
      case 'not-leader':
        return rpcError(grpc.status.NOT_FOUND, 'Leader info available', {
          exception: 'not-leader',
          'leader-endpoint-host': LOOPBACK,
          'leader-endpoint-port': String(this.port),
        });
      case 'server-not-ready':
        return rpcError(grpc.status.UNAVAILABLE, 'Server Is Not Ready');
      case 'access-denied':
        return rpcError(grpc.status.PERMISSION_DENIED, 'Access Denied', { exception: 'access-denied' });
      case 'timeout':
        return rpcError(grpc.status.ABORTED, 'Operation timed out: Prepare phase timeout.');
    }
  }

  // ---------------------------------------------------------------- seed

  /** A fresh node's system events (docs/server/features/streams.md "System Streams"; names from SystemNames.cs). */
  private seed(): void {
    const sys = (stream: string, type: string, data: unknown) =>
      this.log.append(stream, { kind: 'any' }, [{ id: randomUUID(), type, isJson: true, data: jsonBytes(data), metadata: new Uint8Array(0) }], false);
    sys('$epoch-information', '$epoch-information', { epochNumber: 0, leaderInstanceId: this.instanceId });
    sys('$$$scavenges', '$metadata', { $maxAge: 2592000 });
    sys('$users', '$User', { loginName: 'admin' });
    sys('$user-admin', '$UserCreated', { loginName: 'admin', fullName: 'Event Store Administrator', groups: ['$admins'] });
    sys('$users', '$User', { loginName: 'ops' });
    sys('$user-ops', '$UserCreated', { loginName: 'ops', fullName: 'Event Store Operations', groups: ['$ops'] });
    if (this.opts.projections) sys('$projections-$all', '$ProjectionsInitialized', {});
    sys('$settings', '$settings', { $userStreamAcl: { $r: '$all', $w: '$all' }, $systemStreamAcl: { $r: '$admins', $w: '$admins' } });
  }

  // ---------------------------------------------------------------- server features, gossip

  private supportedMethods(): serverFeaturesPb.SupportedMethods {
    const resp = new serverFeaturesPb.SupportedMethods();
    const batchAppend = this.mode === 'current';
    for (const m of supportedMethods2410({ projections: this.opts.projections, batchAppend })) {
      const sm = new serverFeaturesPb.SupportedMethod();
      sm.setMethodName(m.methodName);
      sm.setServiceName(m.serviceName);
      sm.setFeaturesList(m.features);
      resp.addMethods(sm);
    }
    resp.setEventStoreServerVersion(this.mode === 'current' ? this.opts.serverVersion : '20.10.0');
    return resp;
  }

  /** Gossip.Read (src/EventStore.Core/Services/Transport/Grpc/Gossip.Read.cs): one alive leader, itself. */
  private clusterInfo(): gossipPb.ClusterInfo {
    const member = new gossipPb.MemberInfo();
    member.setInstanceId(uuidMessage(this.instanceId, true));
    member.setTimeStamp((BigInt(Date.now()) * 10_000n).toString());
    member.setState(gossipPb.MemberInfo.VNodeState.LEADER);
    member.setIsAlive(true);
    const ep = new gossipPb.EndPoint();
    ep.setAddress(LOOPBACK);
    ep.setPort(this.port);
    member.setHttpEndPoint(ep);
    const info = new gossipPb.ClusterInfo();
    info.addMembers(member);
    return info;
  }

  // ---------------------------------------------------------------- appends

  private proposed(
    msg: streamsPb.AppendReq.ProposedMessage | streamsPb.BatchAppendReq.ProposedMessage,
  ): ProposedEvent | { error: string; missing?: string } {
    const md = msg.getMetadataMap();
    const type = md.get('type');
    const contentType = md.get('content-type');
    if (type === undefined) return { error: "The given key 'type' was not present in the dictionary.", missing: 'type' };
    if (contentType === undefined) return { error: "The given key 'content-type' was not present in the dictionary.", missing: 'content-type' };
    const id = uuidText(msg.getId());
    if (!id) return { error: 'Unrecognized Guid format.' };
    if (id === '00000000-0000-0000-0000-000000000000') return { error: 'Empty eventId provided.' };
    if (type === '') return { error: 'Empty eventType provided.' };
    return {
      id,
      type,
      isJson: contentType === 'application/json',
      data: msg.getData_asU8(),
      metadata: msg.getCustomMetadata_asU8(),
    };
  }

  private sizeOnDisk(e: ProposedEvent): number {
    // Event.SizeOnDisk: data + metadata + 2 bytes per char of the type.
    return e.data.length + e.metadata.length + e.type.length * 2;
  }

  /** Streams.Append (legacy, client-streaming): src/EventStore.Core/Services/Transport/Grpc/Streams.Append.cs */
  private append(
    call: grpc.ServerReadableStream<streamsPb.AppendReq, streamsPb.AppendResp>,
    cb: grpc.sendUnaryData<streamsPb.AppendResp>,
  ): void {
    this.callCounts['Streams.Append']++;
    const caller = this.caller(call);
    let options: streamsPb.AppendReq.Options | undefined;
    let expected: ExpectedRevision | undefined;
    const events: ProposedEvent[] = [];
    let size = 0;
    let failed = false;
    const fail = (err: RpcErrorShape) => {
      if (failed) return;
      failed = true;
      cb(err);
    };
    call.on('data', (req: streamsPb.AppendReq) => {
      if (failed) return;
      if (isRpcErrorShape(caller)) return fail(caller);
      if (!options) {
        if (!req.hasOptions()) return fail(rpcError(grpc.status.UNKNOWN, 'Exception was thrown by handler.'));
        const o = (options = req.getOptions()!);
        const refused = this.streamAccess(caller, streamNameOf(o.getStreamIdentifier()) ?? '', 'write');
        if (refused) return fail(refused);
        const C = streamsPb.AppendReq.Options.ExpectedStreamRevisionCase;
        expected = expectedRevisionOf(o.getExpectedStreamRevisionCase(), [C.REVISION, C.NO_STREAM, C.ANY, C.STREAM_EXISTS], () => o.getRevision());
        if (!expected) return fail(rpcError(grpc.status.INVALID_ARGUMENT, `'${o.getExpectedStreamRevisionCase()}' is not a valid ExpectedStreamRevisionOneofCase`));
        return;
      }
      if (!req.hasProposedMessage()) return fail(rpcError(grpc.status.UNKNOWN, 'Exception was thrown by handler.'));
      const p = this.proposed(req.getProposedMessage()!);
      if ('error' in p) {
        if (p.missing)
          return fail(
            rpcError(grpc.status.INVALID_ARGUMENT, `Required Metadata Property '${p.missing}' is missing`, {
              exception: 'missing-required-metadata-property',
              'required-metadata-properties': 'type,content-type',
            }),
          );
        return fail(rpcError(grpc.status.UNKNOWN, 'Exception was thrown by handler.'));
      }
      size += this.sizeOnDisk(p);
      if (size > this.opts.maxAppendSize)
        return fail(
          rpcError(grpc.status.INVALID_ARGUMENT, `Maximum Append Size of ${this.opts.maxAppendSize} Exceeded.`, {
            exception: 'maximum-append-size-exceeded',
            'maximum-append-size': String(this.opts.maxAppendSize),
          }),
        );
      events.push(p);
    });
    call.on('end', () => {
      if (failed) return;
      if (isRpcErrorShape(caller)) return fail(caller);
      if (!options || !expected) return fail(rpcError(grpc.status.UNKNOWN, 'Exception was thrown by handler.'));
      const fault = this.takeFault('append');
      if (fault) return fail(this.faultError(fault));
      const stream = streamNameOf(options.getStreamIdentifier()) ?? '';
      const outcome = this.log.append(stream, expected, events);
      if (outcome.kind === 'stream_deleted')
        return fail(
          rpcError(grpc.status.FAILED_PRECONDITION, `Event stream '${stream}' is deleted.`, { exception: 'stream-deleted', 'stream-name': stream }),
        );
      this.writeCounts.append++;
      cb(null, this.appendResp(outcome, expected));
    });
    call.on('error', () => {
      failed = true;
    });
  }

  private appendResp(outcome: Exclude<AppendOutcome, { kind: 'stream_deleted' }>, expected: ExpectedRevision): streamsPb.AppendResp {
    const resp = new AppendResp();
    if (outcome.kind === 'success') {
      const s = new AppendResp.Success();
      if (outcome.currentRevision < 0n) s.setNoStream(new sharedPb.Empty());
      else s.setCurrentRevision(outcome.currentRevision.toString());
      const pos = new AppendResp.Position();
      pos.setCommitPosition(outcome.position.toString());
      pos.setPreparePosition(outcome.position.toString());
      s.setPosition(pos);
      resp.setSuccess(s);
      return resp;
    }
    const w = new AppendResp.WrongExpectedVersion();
    switch (expected.kind) {
      case 'any':
        w.setExpectedAny(new sharedPb.Empty());
        w.setAny2060(new sharedPb.Empty());
        break;
      case 'stream_exists':
        w.setExpectedStreamExists(new sharedPb.Empty());
        w.setStreamExists2060(new sharedPb.Empty());
        break;
      case 'no_stream':
        // (the server also sets the deprecated expected_revision_20_6_0 to ulong.MaxValue; not representable here)
        w.setExpectedNoStream(new sharedPb.Empty());
        break;
      case 'revision':
        w.setExpectedRevision(expected.revision.toString());
        w.setExpectedRevision2060(Number(expected.revision));
        break;
    }
    if (outcome.currentRevision < 0n) {
      w.setCurrentNoStream(new sharedPb.Empty());
      w.setNoStream2060(new sharedPb.Empty());
    } else {
      w.setCurrentRevision(outcome.currentRevision.toString());
      w.setCurrentRevision2060(Number(outcome.currentRevision));
    }
    resp.setWrongExpectedVersion(w);
    return resp;
  }

  /** Streams.BatchAppend (bidi): src/EventStore.Core/Services/Transport/Grpc/Streams.BatchAppend.cs, Status.cs */
  private batchAppend(call: grpc.ServerDuplexStream<streamsPb.BatchAppendReq, streamsPb.BatchAppendResp>, gen: Generation): void {
    this.callCounts['Streams.BatchAppend']++;
    if (this.mode === 'legacy') {
      call.emit('error', rpcError(grpc.status.UNIMPLEMENTED, 'Method is unimplemented.'));
      return;
    }
    const caller = this.caller(call);
    if (isRpcErrorShape(caller)) {
      call.emit('error', caller);
      return;
    }
    interface Pending {
      stream: string;
      expected: ExpectedRevision;
      events: ProposedEvent[];
      size: number;
      timer: NodeJS.Timeout;
      correlation: sharedPb.UUID;
    }
    const pending = new Map<string, Pending>();
    let closed = false;
    const respond = (resp: streamsPb.BatchAppendResp) => {
      if (closed || gen.aborted) return;
      call.write(resp);
    };
    const errorResp = (correlation: sharedPb.UUID | undefined, stream: string | undefined, status: ReturnType<typeof rpcStatus>) => {
      const resp = new BatchAppendResp();
      if (correlation) resp.setCorrelationId(correlation);
      if (stream !== undefined) resp.setStreamIdentifier(streamIdentifier(stream));
      resp.setError(status);
      return resp;
    };
    const badRequest = (message: string) => {
      const br = new sharedPb.BadRequest();
      br.setMessage(message);
      return rpcStatus(codePb.Code.INVALID_ARGUMENT, 'BadRequest', { msg: br, typeName: 'event_store.client.BadRequest' });
    };
    const timeoutStatus = () => rpcStatus(codePb.Code.DEADLINE_EXCEEDED, 'Timeout', { msg: new sharedPb.Timeout(), typeName: 'event_store.client.Timeout' });
    const finish = () => {
      closed = true;
      for (const p of pending.values()) clearTimeout(p.timer);
      pending.clear();
    };

    call.on('data', (req: streamsPb.BatchAppendReq) => {
      if (closed || gen.aborted) return;
      const correlation = req.getCorrelationId();
      const correlationId = uuidText(correlation);
      const options = req.getOptions();
      if (!correlationId) {
        respond(errorResp(correlation, streamNameOf(options?.getStreamIdentifier()), badRequest('Unrecognized Guid format.')));
        return;
      }
      if (options) {
        const stream = streamNameOf(options.getStreamIdentifier());
        if (stream === undefined) {
          respond(errorResp(correlation, undefined, badRequest('Required field StreamIdentifier not set.')));
          return;
        }
        if (this.streamAccess(caller, stream, 'write')) {
          respond(errorResp(correlation, stream, this.batchFaultStatus('access-denied')));
          return;
        }
        const deadline = options.getDeadline();
        const requested = deadline ? deadline.toDate().getTime() - Date.now() : Number.MAX_SAFE_INTEGER;
        const timeout = Math.min(requested, this.opts.writeTimeoutMs);
        if (timeout <= 0) {
          respond(errorResp(correlation, stream, timeoutStatus()));
          return;
        }
        const C = streamsPb.BatchAppendReq.Options.ExpectedStreamPositionCase;
        const expected = expectedRevisionOf(options.getExpectedStreamPositionCase(), [C.STREAM_POSITION, C.NO_STREAM, C.ANY, C.STREAM_EXISTS], () =>
          options.getStreamPosition(),
        );
        if (!expected) {
          respond(errorResp(correlation, stream, badRequest(`'${options.getExpectedStreamPositionCase()}' is not a valid ExpectedStreamPositionOneofCase`)));
          return;
        }
        if (!pending.has(correlationId)) {
          const timer = setTimeout(() => {
            const p = pending.get(correlationId);
            if (!p) return;
            pending.delete(correlationId);
            respond(errorResp(p.correlation, p.stream, timeoutStatus()));
          }, timeout);
          timer.unref();
          pending.set(correlationId, { stream, expected, events: [], size: 0, timer, correlation: correlation! });
        }
      }
      const write = pending.get(correlationId);
      if (!write) return;
      for (const m of req.getProposedMessagesList()) {
        const p = this.proposed(m);
        if ('error' in p) {
          clearTimeout(write.timer);
          pending.delete(correlationId);
          respond(errorResp(correlation, write.stream, badRequest(p.error)));
          return;
        }
        write.size += this.sizeOnDisk(p);
        write.events.push(p);
      }
      if (write.size > this.opts.maxAppendSize) {
        clearTimeout(write.timer);
        pending.delete(correlationId);
        const m = new sharedPb.MaximumAppendSizeExceeded();
        m.setMaxappendsize(this.opts.maxAppendSize);
        respond(
          errorResp(
            correlation,
            write.stream,
            rpcStatus(codePb.Code.INVALID_ARGUMENT, 'MaximumAppendSizeExceeded', { msg: m, typeName: 'event_store.client.MaximumAppendSizeExceeded' }),
          ),
        );
        return;
      }
      if (!req.getIsFinal()) return;
      clearTimeout(write.timer);
      pending.delete(correlationId);

      const fault = this.takeFault('append');
      if (fault === 'not-leader') {
        // NotHandled(NotLeader) with leader info throws out of the callback and fails the whole call.
        finish();
        call.emit('error', this.faultError(fault));
        return;
      }
      if (fault) {
        respond(errorResp(correlation, write.stream, this.batchFaultStatus(fault)));
        return;
      }

      const outcome = this.log.append(write.stream, write.expected, write.events);
      const resp = new BatchAppendResp();
      resp.setCorrelationId(correlation);
      resp.setStreamIdentifier(streamIdentifier(write.stream));
      if (outcome.kind === 'success') {
        this.writeCounts.batchAppend++;
        const s = new BatchAppendResp.Success();
        if (outcome.currentRevision < 0n) s.setNoStream(new GoogleEmpty());
        else s.setCurrentRevision(outcome.currentRevision.toString());
        const pos = new sharedPb.AllStreamPosition();
        pos.setCommitPosition(outcome.position.toString());
        pos.setPreparePosition(outcome.position.toString());
        s.setPosition(pos);
        resp.setSuccess(s);
      } else if (outcome.kind === 'wrong_expected_version') {
        const w = new sharedPb.WrongExpectedVersion();
        if (outcome.currentRevision < 0n) w.setCurrentNoStream(new GoogleEmpty());
        else w.setCurrentStreamRevision(outcome.currentRevision.toString());
        switch (write.expected.kind) {
          case 'any':
            w.setExpectedAny(new GoogleEmpty());
            break;
          case 'no_stream':
            w.setExpectedNoStream(new GoogleEmpty());
            break;
          case 'stream_exists':
            w.setExpectedStreamExists(new GoogleEmpty());
            break;
          case 'revision':
            w.setExpectedStreamPosition(write.expected.revision.toString());
            break;
        }
        resp.setError(rpcStatus(codePb.Code.ALREADY_EXISTS, 'WrongExpectedVersion', { msg: w, typeName: 'event_store.client.WrongExpectedVersion' }));
      } else {
        const d = new sharedPb.StreamDeleted();
        d.setStreamIdentifier(streamIdentifier(write.stream));
        resp.setError(rpcStatus(codePb.Code.NOT_FOUND, 'StreamDeleted', { msg: d, typeName: 'event_store.client.StreamDeleted' }));
      }
      respond(resp);
    });
    call.on('end', () => {
      // The client half-closed: answer what is pending (nothing is asynchronous here) and close.
      finish();
      if (!gen.aborted) call.end();
    });
    call.on('error', finish);
    call.on('cancelled', finish);
  }

  private batchFaultStatus(fault: Exclude<EsdbFault, 'not-leader'>): ReturnType<typeof rpcStatus> {
    switch (fault) {
      case 'server-not-ready':
        // ConvertMessage for NotHandled(NotReady): Details = Any(Empty), Message, no code.
        return rpcStatus(codePb.Code.OK, 'Server Is Not Ready', { msg: new GoogleEmpty(), typeName: 'google.protobuf.Empty' });
      case 'access-denied':
        return rpcStatus(codePb.Code.PERMISSION_DENIED, 'AccessDenied', { msg: new sharedPb.AccessDenied(), typeName: 'event_store.client.AccessDenied' });
      case 'timeout':
        return rpcStatus(codePb.Code.DEADLINE_EXCEEDED, 'Timeout', { msg: new sharedPb.Timeout(), typeName: 'event_store.client.Timeout' });
    }
  }

  /** Streams.Tombstone (hard delete): src/EventStore.Core/Services/Transport/Grpc/Streams.Delete.cs */
  private tombstone(
    call: grpc.ServerUnaryCall<streamsPb.TombstoneReq, streamsPb.TombstoneResp>,
    cb: grpc.sendUnaryData<streamsPb.TombstoneResp>,
  ): void {
    this.callCounts['Streams.Tombstone']++;
    const caller = this.caller(call);
    if (isRpcErrorShape(caller)) return cb(caller);
    const options = call.request.getOptions();
    if (!options) return cb(rpcError(grpc.status.UNKNOWN, 'Exception was thrown by handler.'));
    const stream = streamNameOf(options.getStreamIdentifier()) ?? '';
    const refused = this.streamAccess(caller, stream, 'delete');
    if (refused) return cb(refused);
    const C = streamsPb.TombstoneReq.Options.ExpectedStreamRevisionCase;
    const expected = expectedRevisionOf(options.getExpectedStreamRevisionCase(), [C.REVISION, C.NO_STREAM, C.ANY, C.STREAM_EXISTS], () => options.getRevision());
    if (!expected) return cb(rpcError(grpc.status.INVALID_ARGUMENT, 'Invalid ExpectedStreamRevisionOneofCase'));
    const outcome = this.log.tombstone(stream, expected);
    if (outcome.kind === 'stream_deleted')
      return cb(rpcError(grpc.status.FAILED_PRECONDITION, `Event stream '${stream}' is deleted.`, { exception: 'stream-deleted', 'stream-name': stream }));
    if (outcome.kind === 'wrong_expected_version') {
      const expectedVersion = expectedVersionNumber(expected);
      return cb(
        rpcError(
          grpc.status.FAILED_PRECONDITION,
          `Delete failed due to WrongExpectedVersion. Stream: ${stream}, Expected version: ${expectedVersion}, Actual version: ${outcome.currentRevision}`,
          {
            exception: 'wrong-expected-version',
            'stream-name': stream,
            'expected-version': expectedVersion.toString(),
            'actual-version': outcome.currentRevision.toString(),
          },
        ),
      );
    }
    const resp = new TombstoneResp();
    const pos = new TombstoneResp.Position();
    pos.setCommitPosition(outcome.position.toString());
    pos.setPreparePosition(outcome.position.toString());
    resp.setPosition(pos);
    cb(null, resp);
  }

  // ---------------------------------------------------------------- reads

  /** Streams.Read: src/EventStore.Core/Services/Transport/Grpc/Streams.Read.cs (CreateEnumerator's dispatch table). */
  private async read(call: grpc.ServerWritableStream<ReadReq, ReadResp>, gen: Generation): Promise<void> {
    this.callCounts['Streams.Read']++;
    this.openReads++;
    const reader = new ReadCall(call, gen);
    debug('read started', reader.id, JSON.stringify(call.request.toObject()).slice(0, 300));
    try {
      const caller = this.caller(call);
      if (isRpcErrorShape(caller)) throw caller;
      const options = call.request.getOptions();
      if (!options) throw rpcError(grpc.status.UNKNOWN, 'Exception was thrown by handler.');
      const uuidOption = options.getUuidOption();
      if (!uuidOption) throw rpcError(grpc.status.INVALID_ARGUMENT, ' `uuidOption` is a required argument of type UUIDOption');
      reader.structuredIds = uuidOption.getContentCase() === ReadOptions.UUIDOption.ContentCase.STRUCTURED;

      const fault = this.takeFault('read');
      if (fault) throw this.faultError(fault);

      const streamCase = options.getStreamOptionCase();
      const countCase = options.getCountOptionCase();
      const filterCase = options.getFilterOptionCase();
      const backwards = options.getReadDirection() === ReadOptions.ReadDirection.BACKWARDS;
      const S = ReadOptions.StreamOptionCase;
      const N = ReadOptions.CountOptionCase;
      const F = ReadOptions.FilterOptionCase;
      if (streamCase !== S.STREAM && streamCase !== S.ALL) throw rpcError(grpc.status.INVALID_ARGUMENT, `'${streamCase}' is not a valid StreamOptionOneofCase`);
      const invalidCombination = () =>
        rpcError(grpc.status.INVALID_ARGUMENT, `The combination of (${streamCase}, ${countCase}, ${backwards ? 'Backwards' : 'Forwards'}, ${filterCase}) is invalid.`);
      if ((countCase !== N.COUNT && countCase !== N.SUBSCRIPTION) || (filterCase !== F.FILTER && filterCase !== F.NO_FILTER))
        throw invalidCombination();
      const refused = this.streamAccess(caller, streamCase === S.STREAM ? (streamNameOf(options.getStream()!.getStreamIdentifier()) ?? '') : '$all', 'read');
      if (refused) throw refused;

      if (streamCase === S.STREAM) {
        if (filterCase === F.FILTER) throw invalidCombination();
        const so = options.getStream()!;
        const stream = streamNameOf(so.getStreamIdentifier()) ?? '';
        const R = ReadOptions.StreamOptions.RevisionOptionCase;
        const rc = so.getRevisionOptionCase();
        const from: 'start' | 'end' | bigint =
          rc === R.START ? 'start' : rc === R.END ? 'end' : rc === R.REVISION ? BigInt(so.getRevision()) : 'start';
        if (countCase === N.COUNT) await this.readStream(reader, stream, from, backwards, BigInt(options.getCount()));
        else {
          if (backwards) throw invalidCombination();
          await this.subscribeStream(reader, stream, from);
        }
      } else {
        const ao = options.getAll()!;
        const A = ReadOptions.AllOptions.AllOptionCase;
        let from: 'start' | 'end' | bigint;
        switch (ao.getAllOptionCase()) {
          case A.START:
            from = 'start';
            break;
          case A.END:
            from = 'end';
            break;
          case A.POSITION: {
            const p = ao.getPosition()!;
            const commit = BigInt(p.getCommitPosition());
            const prepare = BigInt(p.getPreparePosition());
            // Position's constructor rejects commit < prepare (an exception in the handler: UNKNOWN).
            if (commit < prepare) throw rpcError(grpc.status.UNKNOWN, 'Exception was thrown by handler.');
            from = commit === 18446744073709551615n ? 'end' : commit;
            break;
          }
          default:
            throw rpcError(grpc.status.UNKNOWN, 'Exception was thrown by handler.');
        }
        let filter: FilterSettings | undefined;
        if (filterCase === F.FILTER) filter = this.filterSettings(options.getFilter()!);
        if (countCase === N.COUNT) await this.readAll(reader, from, backwards, BigInt(options.getCount()), filter);
        else {
          if (backwards) throw invalidCombination();
          await this.subscribeAll(reader, from, filter);
        }
      }
      reader.end();
      debug('read ended', reader.id);
    } catch (err) {
      debug('read failed', reader.id, isRpcError(err) ? err.details : err instanceof Error ? err.stack : String(err));
      reader.fail(err);
    } finally {
      this.openReads--;
    }
  }

  private filterSettings(fo: streamsPb.ReadReq.Options.FilterOptions): FilterSettings {
    const FC = ReadOptions.FilterOptions.FilterCase;
    const WC = ReadOptions.FilterOptions.WindowCase;
    let on: 'stream' | 'eventType';
    let expr: streamsPb.ReadReq.Options.FilterOptions.Expression;
    switch (fo.getFilterCase()) {
      case FC.STREAM_IDENTIFIER:
        on = 'stream';
        expr = fo.getStreamIdentifier()!;
        break;
      case FC.EVENT_TYPE:
        on = 'eventType';
        expr = fo.getEventType()!;
        break;
      default:
        throw rpcError(grpc.status.INVALID_ARGUMENT, `'${fo.getFilterCase()}' is not a valid FilterOptions`);
    }
    let maxSearchWindow: number;
    switch (fo.getWindowCase()) {
      case WC.MAX:
        maxSearchWindow = fo.getMax();
        break;
      case WC.COUNT:
        maxSearchWindow = READ_BATCH_SIZE;
        break;
      default:
        throw rpcError(grpc.status.INVALID_ARGUMENT, `'${fo.getWindowCase()}' is not a valid WindowOneofCase`);
    }
    const multiplier = fo.getCheckpointintervalmultiplier();
    let matches: (e: RecordedEvent) => boolean;
    try {
      matches = compileFilter({ on, prefixes: expr.getPrefixList(), regex: expr.getRegex() || undefined });
    } catch {
      throw rpcError(grpc.status.UNKNOWN, 'Exception was thrown by handler.');
    }
    if (maxSearchWindow <= 0 || multiplier <= 0) throw rpcError(grpc.status.UNKNOWN, 'Exception was thrown by handler.');
    return { matches, maxSearchWindow, checkpointInterval: multiplier * maxSearchWindow };
  }

  /** Enumerator.ReadStreamForwards / ReadStreamBackwards. */
  private async readStream(reader: ReadCall, stream: string, from: 'start' | 'end' | bigint, backwards: boolean, count: bigint): Promise<void> {
    if (this.log.isTombstoned(stream)) throw streamDeleted(stream);
    const events = this.log.streamEvents(stream);
    if (!events) {
      const nf = new ReadResp.StreamNotFound();
      nf.setStreamIdentifier(streamIdentifier(stream));
      const resp = new ReadResp();
      resp.setStreamNotFound(nf);
      await reader.send(resp);
      return;
    }
    let sent = 0n;
    if (!backwards) {
      if (from === 'end') return;
      const start = from === 'start' ? 0 : from > BigInt(events.length) ? events.length : Number(from);
      for (let i = start; i < events.length && sent < count; i++, sent++) {
        if (!(await reader.sendEvent(events[i]))) return;
      }
    } else {
      const last = events.length - 1;
      const start = from === 'end' ? last : from === 'start' ? 0 : from > BigInt(last) ? last : Number(from);
      for (let i = start; i >= 0 && sent < count; i--, sent++) {
        if (!(await reader.sendEvent(events[i]))) return;
      }
    }
  }

  /** A position a read of $all may start from: a record boundary, or at/after the end of the log. */
  private checkReadPosition(position: bigint): void {
    if (position === 0n || position >= this.log.writerPosition || this.log.isRecordStart(position)) return;
    // ReadAllResult.InvalidPosition -> RpcExceptions.InvalidPositionException
    throw rpcError(grpc.status.INVALID_ARGUMENT, 'Trying to read from an invalid position.');
  }

  /** Enumerator.ReadAllForwards/Backwards(+Filtered). Forwards includes the event at `from`, backwards excludes it. */
  private async readAll(reader: ReadCall, from: 'start' | 'end' | bigint, backwards: boolean, count: bigint, filter: FilterSettings | undefined): Promise<void> {
    const all = this.log.all;
    const allowed = filter ? filter.matches : visibleInAll;
    let sent = 0n;
    if (typeof from === 'bigint') this.checkReadPosition(from);
    if (!backwards) {
      if (from === 'end') return;
      let i = from === 'start' ? 0 : this.log.indexAtOrAfter(from);
      for (; i < all.length && sent < count; i++) {
        if (!allowed(all[i])) continue;
        if (!(await reader.sendEvent(all[i]))) return;
        sent++;
      }
    } else {
      let i = from === 'end' || from === 'start' ? (from === 'end' ? all.length - 1 : -1) : this.log.indexAtOrAfter(from) - 1;
      for (; i >= 0 && sent < count; i--) {
        if (!allowed(all[i])) continue;
        if (!(await reader.sendEvent(all[i]))) return;
        sent++;
      }
    }
  }

  /** Enumerator.StreamSubscription: confirmation, catch-up, caught-up, live. From a revision is exclusive. */
  private async subscribeStream(reader: ReadCall, stream: string, from: 'start' | 'end' | bigint): Promise<void> {
    if (!(await reader.confirm())) return;
    const last = this.log.lastRevision(stream);
    // the revision most recently sent on (or the one the client said it has seen)
    let checkpoint = from === 'start' ? -1n : from === 'end' ? last : from;
    let caughtUp = false;
    let n = 0;
    for (;;) {
      if (this.log.isTombstoned(stream)) throw streamDeleted(stream);
      const events = this.log.streamEvents(stream) ?? [];
      const next = events.findIndex((e) => e.revision > checkpoint);
      if (next === -1) {
        if (!caughtUp) {
          caughtUp = true;
          if (!(await reader.caughtUp())) return;
        }
        if (!(await reader.waitForAppend(this.log))) return;
        continue;
      }
      for (let i = next; i < events.length; i++) {
        if (!(await reader.sendEvent(events[i]))) return;
        checkpoint = events[i].revision;
        if (++n % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
      }
    }
  }

  /**
   * Enumerator.AllSubscription / AllSubscriptionFiltered (release/v24.10, with the KDB-710 fix):
   * confirmation; catch-up in pages of at most maxSearchWindow considered events (and at most 32 matches);
   * a checkpoint every `multiplier * maxSearchWindow` considered events; a checkpoint when catch-up reaches the
   * end (never an invalid one); caught-up; then live, with a checkpoint every interval of considered live events.
   * Subscribing from a position is exclusive: only events after it are sent.
   */
  private async subscribeAll(reader: ReadCall, from: 'start' | 'end' | bigint, filter: FilterSettings | undefined): Promise<void> {
    if (typeof from === 'bigint') this.checkReadPosition(from);
    if (!(await reader.confirm())) return;
    const all = this.log.all;
    const allowed = filter ? filter.matches : visibleInAll;
    // the position most recently sent on (event or checkpoint), or the one the client said it has seen
    let checkpoint: bigint | undefined = from === 'start' ? undefined : from === 'end' ? (all.length ? all[all.length - 1].position : undefined) : from;
    let idx = from === 'start' ? 0 : from === 'end' ? all.length : this.log.indexAtOrAfter(from + 1n);
    let lastCheckpointSent: bigint | undefined;
    const sendCheckpoint = async (pos: bigint | undefined): Promise<boolean> => {
      if (!filter || pos === undefined) return true; // no checkpoint to send yet (failsafe of KDB-710)
      if (lastCheckpointSent !== undefined && pos <= lastCheckpointSent) return true; // MoveNextAsync drops repeats
      lastCheckpointSent = pos;
      return reader.checkpoint(pos);
    };
    const max = (a: bigint | undefined, b: bigint): bigint => (a === undefined || b > a ? b : a);

    // Catch-up (skipped when already at the end: MainLoop goes live directly, no checkpoint).
    if (idx < all.length) {
      let counter = 0;
      const windowSize = filter ? filter.maxSearchWindow : READ_BATCH_SIZE;
      while (idx < all.length) {
        const pageStart = all[idx].position; // FilteredReadAllEventsForwardCompleted.CurrentPos
        let considered = 0;
        let matched = 0;
        while (idx < all.length && considered < windowSize && matched < READ_BATCH_SIZE) {
          const e = all[idx++];
          considered++;
          if (!allowed(e)) continue;
          matched++;
          if (!(await reader.sendEvent(e))) return;
          checkpoint = e.position;
        }
        counter += considered;
        if (idx >= all.length) {
          // end of the log: issue a checkpoint when going live
          if (!(await sendCheckpoint(max(checkpoint, pageStart)))) return;
          break;
        }
        if (filter && counter >= filter.checkpointInterval) {
          counter %= filter.checkpointInterval;
          checkpoint = max(checkpoint, pageStart);
          if (!(await sendCheckpoint(checkpoint))) return;
        }
        await new Promise((r) => setImmediate(r));
        if (reader.done) return;
      }
    }
    if (!(await reader.caughtUp())) return;

    // Live: SubscriptionsService counts every committed event towards the checkpoint interval.
    let liveCounter = 0;
    for (;;) {
      if (idx >= all.length) {
        if (!(await reader.waitForAppend(this.log))) return;
        continue;
      }
      const e = all[idx++];
      // GoLive skips events at or before the checkpoint (only possible when the client gave a position
      // beyond the end of the log)
      if (allowed(e) && (checkpoint === undefined || e.position > checkpoint)) {
        if (!(await reader.sendEvent(e))) return;
        checkpoint = e.position;
      }
      if (filter) {
        liveCounter++;
        if (liveCounter >= filter.checkpointInterval) {
          liveCounter = 0;
          if (!(await sendCheckpoint(e.position))) return;
        }
      }
    }
  }
}

interface FilterSettings {
  matches: (e: RecordedEvent) => boolean;
  maxSearchWindow: number;
  checkpointInterval: number;
}

function streamDeleted(stream: string): RpcErrorShape {
  return rpcError(grpc.status.FAILED_PRECONDITION, `Event stream '${stream}' is deleted.`, { exception: 'stream-deleted', 'stream-name': stream });
}

function isRpcError(err: unknown): err is RpcErrorShape {
  return typeof err === 'object' && err !== null && 'code' in err && 'details' in err && 'metadata' in err;
}

/** One server-streaming Read call: writes with back-pressure, stops when the client cancels or the server stops. */
let readIds = 0;
class ReadCall {
  readonly id = ++readIds;
  structuredIds = false;
  done = false;
  constructor(
    private readonly call: grpc.ServerWritableStream<ReadReq, ReadResp>,
    private readonly gen: Generation,
  ) {
    call.on('cancelled', () => {
      debug('read', this.id, 'cancelled');
      this.done = true;
    });
  }

  private get stopped(): boolean {
    return this.done || this.call.cancelled || this.gen.aborted;
  }

  async send(resp: ReadResp): Promise<boolean> {
    if (this.stopped) return false;
    if (!this.call.write(resp)) {
      debug('read', this.id, 'waits for drain');
      await this.until((wake) => {
        this.call.on('drain', wake);
        return () => this.call.off('drain', wake);
      });
      debug('read', this.id, 'drained or stopped', this.stopped);
    }
    return !this.stopped;
  }

  /** Waits for `arm`'s wake-up, a client cancel or the server's stop, whichever comes first. */
  private until(arm: (wake: () => void) => () => void): Promise<void> {
    return new Promise<void>((resolve) => {
      let disarm: () => void = () => undefined;
      let offAbort: () => void = () => undefined;
      let settled = false;
      const wake = () => {
        if (settled) return;
        settled = true;
        disarm();
        offAbort();
        this.call.off('cancelled', wake);
        resolve();
      };
      this.call.on('cancelled', wake);
      disarm = arm(wake);
      offAbort = this.gen.onAbort(wake);
      if (settled) {
        disarm();
        offAbort();
      }
    });
  }

  sendEvent(e: RecordedEvent): Promise<boolean> {
    const rec = new ReadResp.ReadEvent.RecordedEvent();
    rec.setId(uuidMessage(e.id, this.structuredIds));
    rec.setStreamIdentifier(streamIdentifier(e.stream));
    rec.setStreamRevision(e.revision.toString());
    rec.setPreparePosition(e.position.toString());
    rec.setCommitPosition(e.position.toString());
    const md = rec.getMetadataMap();
    md.set('type', e.type);
    md.set('created', e.created.toString());
    md.set('content-type', e.isJson ? 'application/json' : 'application/octet-stream');
    rec.setData(e.data);
    rec.setCustomMetadata(e.metadata);
    const re = new ReadResp.ReadEvent();
    re.setEvent(rec);
    re.setCommitPosition(e.position.toString());
    const resp = new ReadResp();
    resp.setEvent(re);
    return this.send(resp);
  }

  confirm(): Promise<boolean> {
    const c = new ReadResp.SubscriptionConfirmation();
    c.setSubscriptionId(randomUUID());
    const resp = new ReadResp();
    resp.setConfirmation(c);
    return this.send(resp);
  }

  caughtUp(): Promise<boolean> {
    debug('read', this.id, 'caught up');
    const resp = new ReadResp();
    resp.setCaughtUp(new ReadResp.CaughtUp());
    return this.send(resp);
  }

  checkpoint(position: bigint): Promise<boolean> {
    const c = new ReadResp.Checkpoint();
    c.setCommitPosition(position.toString());
    c.setPreparePosition(position.toString());
    const resp = new ReadResp();
    resp.setCheckpoint(c);
    return this.send(resp);
  }

  async waitForAppend(log: EventLog): Promise<boolean> {
    if (this.stopped) return false;
    await this.until((wake) => log.onAppend(wake));
    return !this.stopped;
  }

  end(): void {
    if (this.stopped) return;
    this.done = true;
    this.call.end();
  }

  fail(err: unknown): void {
    if (this.stopped) return;
    this.done = true;
    const e = isRpcError(err) ? err : rpcError(grpc.status.UNKNOWN, 'Exception was thrown by handler.');
    try {
      this.call.emit('error', e);
    } catch {
      // the call is already gone
    }
  }
}

/** Starts the double on 127.0.0.1. */
export async function startEsdbDouble(options: EsdbDoubleOptions = {}): Promise<EsdbDouble> {
  const double = new EsdbDoubleImpl(options);
  await double.start();
  return double;
}
