import { isLedgerStreamName } from '@ledger/domain';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { EVENT_STORE, EventStore, RecordedEvent, StoreUnavailableError, Subscription, WrongExpectedRevisionError } from '@ledger/event-store';
import {
  CHECKPOINT_SIGNED_TYPE,
  CHECKPOINT_STREAM,
  configuredNotaryKey,
  eventHash,
  existingDefaultNotaryKey,
  generateNotaryKey,
  eventLeafHash,
  FileScratch,
  jwksOf,
  loadOrCreateNotaryKey,
  MerkleLog,
  NotaryKey,
  SignedCheckpoint,
  signCheckpoint,
  storedHashOf,
  StreamHead,
} from '@ledger/integrity';
import { Clock } from '../application/clock';
import { notaryLease, SharedDatabaseHost } from '../application/shared-database.host';
import { LEDGER_CONFIG, LedgerConfig } from '../platform';
import type { AdvisoryLockLease } from '../platform/postgres/advisory-lock.lease';
import { sharedNotaryKey } from '../platform/postgres/notary-key.table';
import { CheckpointIndex } from './checkpoint-index';
import { LeafLocation, LeafLocations } from './leaf-locations';
import { NO_SNAPSHOT, NotaryStateStore, RestoredState } from './notary-state.store';

/** How long an on-demand checkpoint waits for the notary to have read everything already in the log. */
const CATCH_UP_TIMEOUT_MS = 10_000;
/** Appends refused because another replica signed first, before an on-demand checkpoint gives up (409). */
const SIGN_ATTEMPTS = 5;
/** After the log subscription stops on an error: the first wait before following the log again, and the longest. */
const RESTART_FIRST_MS = 1_000;
const RESTART_MAX_MS = 60_000;

export class NotaryRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotaryRefusedError';
  }
}

export type { LeafLocation } from './leaf-locations';

/**
 * The tree and where each leaf's event is: they grow with the log, so they live in a file and memory stays flat. Kept
 * between runs in the data directory (NotaryStateStore) when this process holds it; otherwise in a throwaway file
 * the kernel frees with the process, rebuilt from the log at every start.
 */
interface FollowedLog {
  scratch: FileScratch;
  tree: MerkleLog;
  leaves: LeafLocations;
}

const emptyLogOn = (scratch: FileScratch): FollowedLog => ({ scratch, tree: new MerkleLog([], scratch), leaves: new LeafLocations(scratch) });

const throwawayLog = (dataDir: string): FollowedLog => emptyLogOn(new FileScratch(dataDir));

/** What `/health` shows of the notary (`notary`). */
export interface NotaryStatus {
  /** `following` the log; `restarting` after its subscription stopped (proofs and checkpoints wait). */
  state: 'starting' | 'following' | 'restarting';
  /** `kept`: in the data directory between runs; `throwaway`: rebuilt from the log at each start. */
  tree: 'kept' | 'throwaway';
  /** Ledger events in the tree. */
  leaves: number;
  /** The log position it has read to (decimal): the event store's head once caught up. */
  followedTo: string;
  /** The position its last stored snapshot reached, if any. */
  snapshotAt: string | null;
  /**
   * Whether it refuses to sign because an event does not match its hash. Which event is for the log and `verify`
   * (auditors): /health is public, and the stream names an incident.
   */
  refusing: boolean;
}

export interface CheckpointOutcome {
  checkpoint: SignedCheckpoint;
  /** False when the log had not grown since the latest checkpoint, which is returned instead. */
  created: boolean;
}

/**
 * Signs checkpoints of the global log: follows the store's subscription (like the read models, never the event
 * bus), keeps the Merkle tree of the ledger events' hashes, and appends a signed tree head to its own stream
 * periodically and on demand. It refuses to sign a log whose events do not match their own hashes: a signature
 * must never vouch for damage.
 *
 * Among replicas (PostgreSQL configured) every one follows the log and answers proofs and verify, but only the
 * holder of the notary lease signs periodically; all sign with one key. An on-demand checkpoint may be signed by
 * any replica: the append expects the checkpoint stream's revision, so of two replicas signing at once one wins and
 * the other answers with the winner's checkpoint, never a second signature of the same tree.
 */
@Injectable()
export class NotaryService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Notary');
  private signingKey: NotaryKey | undefined;
  private lease: AdvisoryLockLease | undefined;
  /** Replaced whole when the notary starts following the log again from its start. */
  private state: FollowedLog;
  /** Streams written since the latest checkpoint: the heads the next one records. */
  private readonly headsSince = new Map<string, { head: StreamHead; position: bigint }>();
  /** Streams whose head changed since the last snapshot was taken: what the next one adds to the heads file. */
  private headsChanged = new Set<string>();
  private readonly waiters = new Set<{ position: bigint; resolve: () => void }>();
  private processed = 0n;
  private readonly checkpoints: CheckpointIndex;
  private damage: string | undefined;
  private subscription: Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private restartDelayMs = RESTART_FIRST_MS;
  private stopping = false;
  private queue: Promise<unknown> = Promise.resolve();
  /** Where the tree is kept between runs; undefined when another process holds it (or after shutdown). */
  private kept: NotaryStateStore | undefined;
  private snapshotTimer: NodeJS.Timeout | undefined;
  private snapshotting: Promise<void> | undefined;
  /** The position the last stored snapshot reached. */
  private snapshotAt = -1n;
  /**
   * Whether the tree in hand is the one being followed. Not between a stopped subscription and the next: a tree
   * half-way through an event, or about to be replaced by the stored one, must not be stored over it.
   */
  private following = false;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    private readonly clock: Clock,
    private readonly shared: SharedDatabaseHost,
  ) {
    this.state = throwawayLog(config.dataDir);
    this.checkpoints = new CheckpointIndex(store);
  }

  get key(): NotaryKey {
    if (!this.signingKey) throw new Error('The notary key is not loaded yet');
    return this.signingKey;
  }

  /**
   * A key given by LEDGER_NOTARY_PRIVATE_KEY or LEDGER_NOTARY_KEY_FILE always wins (give every replica the same one).
   * Otherwise: alone, the key file in the data directory (generated on first start); among replicas, the key in the
   * ledger schema, which the first replica stores (its old key file's key, if it ran alone before, so that the
   * checkpoints it signed stay verifiable).
   */
  async onModuleInit(): Promise<void> {
    const { privateKeyPem, keyFile } = this.config.notary;
    const db = this.shared.db;
    const configured = configuredNotaryKey({ privateKeyPem, keyFile });
    if (configured || !db) {
      const { key, source } = configured ?? loadOrCreateNotaryKey({ dataDir: this.config.dataDir });
      this.signingKey = key;
      this.logger.log(`signing key ${key.keyId} (${source})`);
      return;
    }
    const local = existingDefaultNotaryKey(this.config.dataDir);
    const { key, created } = await sharedNotaryKey(db, () => local ?? generateNotaryKey());
    this.signingKey = key;
    this.logger.log(`signing key ${key.keyId} (shared, in ${db.table('notary_key')}${created ? `: stored by this replica` : ''})`);
    if (local && local.keyId !== key.keyId) {
      this.logger.warn(`the key file in ${this.config.dataDir} (${local.keyId}) is not the replicas' shared key and is not used`);
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    // The kept state holds the checkpoint index too: a start then reads only the checkpoints signed since.
    this.holdKeptState();
    this.checkpoints.keepIn(this.kept?.checkpoints);
    await this.checkpoints.load();
    const foreign = this.foreignSigningKeys();
    if (foreign.length > 0) {
      this.logger.warn(
        `the log holds checkpoints signed by key${foreign.length > 1 ? 's' : ''} ${foreign.join(', ')}, not this process's ${this.key.keyId}: ` +
          'another ledger process writes to this store with a key of its own, or the key was replaced. Verify reports those ' +
          'checkpoints unknown-signing-key on any process that does not publish that key: give every process the same LEDGER_NOTARY_PRIVATE_KEY',
      );
    }
    try {
      await this.startFollowedLog();
      this.followLog();
    } catch (error) {
      this.restartLater(error);
    }
    const interval = this.config.notary.checkpointIntervalMs;
    if (interval > 0) {
      this.lease = this.shared.lease(notaryLease(this.config.ledgerSchema), { onAcquired: () => undefined, onLost: () => undefined })?.start();
      this.timer = setInterval(() => {
        // Among replicas, only the lease holder signs on a timer.
        if (this.state.tree.size === 0 || (this.lease && !this.lease.held)) return;
        this.checkpoint('notary').catch((error: unknown) => this.logger.warn(`periodic checkpoint skipped: ${messageOf(error)}`));
      }, interval);
      this.timer.unref();
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    if (this.restartTimer) clearTimeout(this.restartTimer);
    await this.lease?.stop();
    await this.subscription?.stop();
    this.subscription = undefined;
    // What was followed since the last snapshot is stored, so that the next start reads nothing twice.
    await this.snapshotting;
    await this.storeSnapshot();
    this.releaseKeptState();
    this.state.scratch.close();
  }

  /**
   * The tree to follow the log with: the one kept by the last run, if this process can hold the data directory's
   * notary state and the snapshot matches the log; otherwise an empty one (and the log is read from its start). The
   * tree in hand is replaced only once the next is ready: proofs may read it meanwhile.
   */
  private async startFollowedLog(): Promise<void> {
    this.holdKeptState();
    const next = await this.nextFollowedLog();
    const previous = this.state;
    this.state = next.state;
    this.processed = next.processed;
    this.snapshotAt = next.processed === 0n ? -1n : next.processed;
    this.damage = undefined;
    this.headsSince.clear();
    this.headsChanged = new Set();
    for (const entry of next.headsSince) this.headsSince.set(entry.head.stream, entry);
    const latest = this.checkpoints.latest?.checkpoint;
    if (latest) this.forgetHeadsUpTo(BigInt(latest.lastPosition));
    if (previous !== next.state) previous.scratch.close();
  }

  private holdKeptState(): void {
    const interval = this.config.notary.snapshotIntervalMs;
    if (this.kept || !(interval > 0)) return;
    try {
      this.kept = NotaryStateStore.open(this.config.dataDir);
      if (!this.kept) this.logger.warn(`another process keeps the notary's tree in ${this.config.dataDir}: this one rebuilds its own from the log at every start`);
    } catch (error) {
      this.logger.warn(`cannot keep the notary's tree in ${this.config.dataDir} (${messageOf(error)}): it is rebuilt from the log at every start`);
    }
    if (!this.kept) return;
    this.snapshotTimer = setInterval(() => void this.storeSnapshot(), interval);
    this.snapshotTimer.unref();
  }

  private async nextFollowedLog(): Promise<{ state: FollowedLog; processed: bigint; headsSince: RestoredState['headsSince'] }> {
    if (!this.kept) return { state: throwawayLog(this.config.dataDir), processed: 0n, headsSince: [] };
    const restored = this.kept.restore();
    if ('none' in restored) {
      if (restored.none !== NO_SNAPSHOT) this.logger.warn(`the kept tree is not taken up (${restored.none}): reading the log from its start`);
    } else {
      let mismatch: string | undefined;
      try {
        mismatch = await this.mismatchWithLog(restored);
      } catch (error) {
        restored.scratch.close();
        throw error;
      }
      if (mismatch === undefined) {
        this.logger.log(`took up the tree kept in ${this.config.dataDir}: ${restored.tree.size} ledger events; reading the log after position ${restored.processed}`);
        return { state: restored, processed: restored.processed, headsSince: restored.headsSince };
      }
      restored.scratch.close();
      this.logger.warn(`the kept tree is not taken up (${mismatch}): reading the log from its start`);
    }
    try {
      return { state: emptyLogOn(this.kept.fresh()), processed: 0n, headsSince: [] };
    } catch (error) {
      // Files it cannot write (another user's, from a run under another account): the notary still works, as before.
      const state = throwawayLog(this.config.dataDir);
      this.logger.warn(`cannot keep the notary's tree in ${this.config.dataDir} (${messageOf(error)}): it is rebuilt from the log at every start`);
      this.releaseKeptState();
      return { state, processed: 0n, headsSince: [] };
    }
  }

  private releaseKeptState(): void {
    this.checkpoints.keepIn(undefined);
    if (this.snapshotTimer) clearInterval(this.snapshotTimer);
    this.snapshotTimer = undefined;
    this.kept?.close();
    this.kept = undefined;
  }

  /** Why a restored tree does not describe this log, or undefined when it does (its last leaf and the latest checkpoint it covers). */
  private async mismatchWithLog(restored: RestoredState): Promise<string | undefined> {
    try {
      const { tree, leaves, processed } = restored;
      const head = await this.store.headPosition();
      if (processed > head) return `it followed the log to position ${processed}, past the log's head ${head}`;
      if (tree.size > 0) {
        const last = leaves.locationOf(tree.size - 1);
        const [event] = last.streamName === undefined ? [] : await this.store.readStream(last.streamName, { fromRevision: last.revision, maxCount: 1 });
        if (!event || event.position !== last.position || event.revision !== last.revision || last.position > processed) {
          return `the log holds no event ${last.streamName}@${last.revision} at position ${last.position}`;
        }
        if (!eventLeafHash(storedHashOf(event.metadata) ?? eventHash(event)).equals(tree.leafHash(tree.size - 1))) {
          return `event ${last.streamName}@${last.revision} is not the one its last leaf was made from`;
        }
      }
      const covered = await this.checkpoints.coveredBy(tree.size);
      if (covered && covered.treeSize > 0) {
        if (tree.root(covered.treeSize).toString('hex') !== covered.rootHash) return `its root at ${covered.treeSize} leaves is not the one checkpoint signed`;
        if (leaves.positionOf(covered.treeSize - 1).toString() !== covered.lastPosition) return `its leaf ${covered.treeSize - 1} is not at the position the checkpoint signed`;
      }
      return undefined;
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error;
      return messageOf(error);
    }
  }

  /** Stores the followed tree, if it is kept, grew since the last snapshot and is whole; one snapshot at a time. */
  private storeSnapshot(): Promise<void> {
    const kept = this.kept;
    if (!kept || !this.following || this.snapshotting || this.damage !== undefined || this.processed === this.snapshotAt) return this.snapshotting ?? Promise.resolve();
    const processed = this.processed;
    const headsChanged = this.headsChanged;
    this.headsChanged = new Set();
    const done = kept
      .store({ ...this.state, processed, heads: this.headsSince, headsChanged })
      .then(
        () => void (this.snapshotAt = processed),
        (error: unknown) => {
          for (const stream of headsChanged) this.headsChanged.add(stream);
          this.logger.warn(`the notary's tree could not be stored (${messageOf(error)}); the next start reads the log from the previous snapshot`);
        },
      )
      .finally(() => (this.snapshotting = undefined));
    this.snapshotting = done;
    return done;
  }

  private followLog(): void {
    this.following = true;
    this.subscription = this.store.subscribeToAll(
      { fromPosition: this.processed },
      {
        onEvent: (event) => this.follow(event),
        onCaughtUp: () => {
          this.restartDelayMs = RESTART_FIRST_MS;
        },
        onError: (error) => this.restartLater(error),
      },
    );
  }

  /**
   * The subscription stopped (the store unreachable, the scratch file's disk full): nothing would be notarised or
   * provable until a restart. Follows the log again from its start with a fresh tree, after a wait that doubles while
   * it keeps failing; meanwhile proofs and checkpoints wait for it as they wait for a notary catching up.
   */
  private restartLater(error: unknown): void {
    this.following = false;
    if (this.stopping) return;
    this.logger.error(`log subscription stopped: ${messageOf(error)}; following the log again in ${this.restartDelayMs} ms, from the last stored snapshot or the log's start`);
    const delay = this.restartDelayMs;
    this.restartDelayMs = Math.min(this.restartDelayMs * 2, RESTART_MAX_MS);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      // In a timer, a throw would end the process: the data directory gone or unwritable waits its turn like the rest.
      this.followAgain().catch((failure: unknown) => this.restartLater(failure));
    }, delay);
    this.restartTimer.unref();
  }

  private async followAgain(): Promise<void> {
    // A snapshot under way describes the tree being dropped, and may be the one taken up: it finishes first.
    await this.snapshotting;
    if (this.stopping) return;
    await this.startFollowedLog();
    if (this.stopping) return;
    this.followLog();
  }

  status(): NotaryStatus {
    return {
      state: this.following ? 'following' : this.subscription || this.restartTimer ? 'restarting' : 'starting',
      tree: this.kept ? 'kept' : 'throwaway',
      leaves: this.state.tree.size,
      followedTo: this.processed.toString(),
      snapshotAt: this.kept && this.snapshotAt >= 0n ? this.snapshotAt.toString() : null,
      refusing: this.damage !== undefined,
    };
  }

  publicKeys(): ReturnType<typeof jwksOf> {
    return jwksOf([this.key.publicKey]);
  }

  /** `limit` checkpoints after the first `offset`, oldest first, and how many there are, with those appended meanwhile. */
  async checkpointPage(offset: number, limit: number): Promise<{ items: SignedCheckpoint[]; total: number }> {
    await this.checkpoints.refresh();
    return { items: await this.checkpoints.page(offset, limit), total: this.checkpoints.count };
  }

  /**
   * The checkpoint that signed exactly `treeSize` ledger events (the latest without one), with those appended
   * meanwhile; undefined when there is none, with the signed sizes nearest the one asked for.
   */
  async checkpointOfSize(treeSize?: number): Promise<{ checkpoint: SignedCheckpoint | undefined; near: { below: number | null; above: number | null } }> {
    await this.checkpoints.refresh();
    if (treeSize === undefined) return { checkpoint: this.checkpoints.latest?.checkpoint, near: { below: null, above: null } };
    const checkpoint = await this.checkpoints.ofSize(treeSize);
    return { checkpoint, near: checkpoint ? { below: null, above: null } : this.checkpoints.sizesNear(treeSize) };
  }

  /** Signs the log as it stands now, once the notary has read everything already in it. Serialised. */
  checkpoint(recordedBy: string, correlationId: string = randomUUID()): Promise<CheckpointOutcome> {
    const run = this.queue.then(() => this.signNow(recordedBy, correlationId));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Key ids that signed checkpoints in the log, other than this process's own (as last read). */
  foreignSigningKeys(): string[] {
    return this.checkpoints.signingKeys().filter((keyId) => keyId !== this.key.keyId);
  }

  /** The leaves that may hold the event with this id, in leaf order (see LeafLocations.candidates): read each to tell. */
  candidates(eventId: string): LeafLocation[] {
    return this.state.leaves.candidates(eventId);
  }

  inclusionProof(leafIndex: number, treeSize: number): Buffer[] {
    return this.state.tree.inclusionProof(leafIndex, treeSize);
  }

  consistencyProof(first: number, second: number): Buffer[] {
    return this.state.tree.consistencyProof(first, second);
  }

  /** Waits until the notary has folded the log up to `position` (used before answering proofs for fresh events). */
  async caughtUpTo(position: bigint, timeoutMs = CATCH_UP_TIMEOUT_MS): Promise<void> {
    if (this.processed >= position) return;
    await new Promise<void>((resolve, reject) => {
      const waiter = { position, resolve: () => (clearTimeout(timer), resolve()) };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new StoreUnavailableError(`the notary has not read the log up to position ${position} after ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  private follow(event: RecordedEvent): void {
    if (event.streamName === CHECKPOINT_STREAM) this.noteCheckpoint(event);
    if (isLedgerStreamName(event.streamName)) {
      const stored = storedHashOf(event.metadata);
      const recomputed = eventHash(event);
      if (stored !== recomputed && this.damage === undefined) {
        this.damage = `event ${event.streamName}@${event.revision} (position ${event.position}) does not match its hash`;
        this.logger.error(`${this.damage}: no checkpoint will be signed until the log is repaired; run verify`);
      }
      this.state.tree.append(eventLeafHash(stored ?? recomputed));
      this.state.leaves.push(event);
      const latest = this.checkpoints.latest?.checkpoint;
      if (!latest || event.position > BigInt(latest.lastPosition)) {
        const head = { stream: event.streamName, revision: event.revision.toString(), hash: stored ?? recomputed };
        this.headsSince.set(event.streamName, { head, position: event.position });
        this.headsChanged.add(event.streamName);
      }
    }
    this.processed = event.position;
    for (const waiter of this.waiters) {
      if (waiter.position <= event.position) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  /** A checkpoint another replica (or this one) appended, as the subscription delivers it: the next one follows it. */
  private noteCheckpoint(event: RecordedEvent): void {
    if (this.checkpoints.note(event.revision, event.data)) this.forgetHeadsUpTo(BigInt(this.checkpoints.latest!.checkpoint.lastPosition));
  }

  private forgetHeadsUpTo(lastPosition: bigint): void {
    for (const [stream, entry] of this.headsSince) {
      if (entry.position <= lastPosition) this.headsSince.delete(stream);
    }
  }

  private async signNow(recordedBy: string, correlationId: string): Promise<CheckpointOutcome> {
    await this.caughtUpTo(await this.store.headPosition());
    if (this.damage) throw new NotaryRefusedError(`The notary refuses to sign: ${this.damage}. Run verify.`);
    for (let attempt = 1; ; attempt += 1) {
      let latest = this.checkpoints.latest;
      if (latest && latest.checkpoint.treeSize > this.state.tree.size) {
        // Another replica signed a log this one has not read to the end yet: catch up first, then decide.
        await this.caughtUpTo(BigInt(latest.checkpoint.lastPosition));
        latest = this.checkpoints.latest;
      }
      const treeSize = this.state.tree.size;
      if (latest && latest.checkpoint.treeSize >= treeSize) return { checkpoint: latest.checkpoint, created: false };
      if (treeSize === 0) throw new NotaryRefusedError('The log holds no ledger event yet: there is nothing to sign');
      const checkpoint = signCheckpoint(
        {
          origin: this.config.notary.origin,
          treeSize,
          rootHash: this.state.tree.root(treeSize).toString('hex'),
          lastPosition: treeSize === 0 ? '0' : this.state.leaves.positionOf(treeSize - 1).toString(),
          timestamp: this.clock.now().toISOString(),
          keyId: this.key.keyId,
          streamHeads: [...this.headsSince.values()]
            .map((entry) => entry.head)
            .sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0)),
        },
        this.key,
      );
      try {
        const eventId = randomUUID();
        const result = await this.store.append(
          CHECKPOINT_STREAM,
          [
            {
              eventId,
              type: CHECKPOINT_SIGNED_TYPE,
              data: checkpoint,
              metadata: { recordedAt: checkpoint.timestamp, recordedBy, correlationId, causationId: correlationId },
            },
          ],
          { expectedRevision: latest ? latest.revision : 'no_stream' },
        );
        this.checkpoints.note(result.nextExpectedRevision, checkpoint);
        // Events followed while the append was in flight belong to the next checkpoint.
        this.forgetHeadsUpTo(BigInt(checkpoint.lastPosition));
        this.logger.log(`checkpoint ${result.nextExpectedRevision}: ${treeSize} ledger events, root ${checkpoint.rootHash}`);
        return { checkpoint, created: true };
      } catch (error) {
        // Another replica signed meanwhile: take its checkpoint into account and decide again.
        if (!(error instanceof WrongExpectedRevisionError) || attempt >= SIGN_ATTEMPTS) throw error;
        await this.checkpoints.refresh();
        const known = this.checkpoints.latest;
        if (known) this.forgetHeadsUpTo(BigInt(known.checkpoint.lastPosition));
      }
    }
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
