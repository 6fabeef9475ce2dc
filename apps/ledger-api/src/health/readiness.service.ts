import { open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { EVENT_STORE, EventStore } from '@ledger/event-store';
import type { RunnerStatus, SupervisionStatus } from '@ledger/read-models';
import { ProjectionHost } from '../application/projection.host';
import { LEDGER_CONFIG, type LedgerConfig } from '../platform/config/ledger-config';

/** Why the ledger should not be sent traffic now. */
export interface NotReadyReason {
  code:
    | 'event-store-unavailable'
    | 'store-refuses-writes'
    | 'read-models-starting'
    | 'read-models-rebuilding'
    | 'read-models-failed'
    | 'read-models-behind'
    | 'read-models-stuck';
  detail: string;
}

export interface Readiness {
  ready: boolean;
  reasons: NotReadyReason[];
  readModels: {
    state: RunnerStatus['state'];
    checkpoint: string;
    caughtUp: boolean;
    /** How long the oldest write not yet in the read models has waited (0 when none waits). */
    lagMs: number;
    lastError: RunnerStatus['lastError'];
    supervision: SupervisionStatus;
  };
  eventStore: { reachable: boolean; headPosition: string | null; error?: string };
  /** The data directory's write probe: a small file written, fsynced and removed. */
  writeProbe: { ok: boolean; at: string | null; error?: string };
  /** When the store and the data directory were last sampled (the answer itself does no I/O). */
  sampledAt: string | null;
}

/** How often the log's head is read and the data directory is probed. */
const SAMPLE_INTERVAL_MS = 1_000;
const PROBE_INTERVAL_MS = 5_000;
/** Enough to need a fresh block on any file system: a full disk refuses it where a few bytes might still fit. */
const PROBE_BYTES = 64 * 1024;
const PROBE_FILE = '.ready-probe';

/**
 * Readiness for orchestrators, answered from state kept by a background sampler (once a second: the log's head; every
 * five seconds: a write probe of the data directory), so that a probe costs no I/O however loaded the ledger is. Not ready
 * while the read models start, rebuild or are failed, while a write has waited longer than LEDGER_READY_MAX_LAG_MS for
 * them (behind) or they have not moved for that long while behind (stuck), or while the store is unreachable or the
 * data directory refuses writes (a full disk).
 */
@Injectable()
export class ReadinessService implements OnModuleInit, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private probedAt = 0;
  private head: bigint | undefined;
  private storeError: string | undefined;
  private probe: Readiness['writeProbe'] = { ok: true, at: null };
  private sampledAt: Date | undefined;
  /** Heads seen that the checkpoint had not reached, with when each was first seen: the oldest is the lag. */
  private pending: { head: bigint; seenAt: number }[] = [];
  private lastCheckpoint = -1n;
  private checkpointMovedAt = Date.now();
  private sampling: Promise<void> | undefined;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projections: ProjectionHost,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.sample();
    this.timer = setInterval(() => void this.sample(), SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reads the store's head (and, every five seconds, probes a write); one at a time. */
  sample(): Promise<void> {
    this.sampling ??= this.takeSample().finally(() => (this.sampling = undefined));
    return this.sampling;
  }

  readiness(now = Date.now()): Readiness {
    const status = this.projections.runner.status();
    const supervision = this.projections.supervision();
    this.track(status, now);
    const lagMs = this.pending.length > 0 ? now - this.pending[0].seenAt : 0;
    const reasons: NotReadyReason[] = [];
    if (this.storeError !== undefined) reasons.push({ code: 'event-store-unavailable', detail: this.storeError });
    if (!this.probe.ok) reasons.push({ code: 'store-refuses-writes', detail: `the data directory refuses writes: ${this.probe.error}` });
    reasons.push(...this.readModelReasons(status, supervision, lagMs, now));
    return {
      ready: reasons.length === 0,
      reasons,
      readModels: {
        state: status.state,
        checkpoint: status.checkpoint.toString(),
        caughtUp: status.caughtUp,
        lagMs,
        lastError: status.lastError,
        supervision,
      },
      eventStore: {
        reachable: this.storeError === undefined,
        headPosition: this.head === undefined ? null : this.head.toString(),
        ...(this.storeError !== undefined ? { error: this.storeError } : {}),
      },
      writeProbe: this.probe,
      sampledAt: this.sampledAt?.toISOString() ?? null,
    };
  }

  private readModelReasons(status: RunnerStatus, supervision: SupervisionStatus, lagMs: number, now: number): NotReadyReason[] {
    const maxLag = this.config.readyMaxLagMs;
    switch (status.state) {
      case 'stopped':
      case 'starting':
        return [{ code: 'read-models-starting', detail: `the read models are ${status.state}` }];
      case 'rebuilding':
        return [{ code: 'read-models-rebuilding', detail: `the read models are being rebuilt from the event log (at position ${status.checkpoint})` }];
      case 'failed':
        return [
          {
            code: 'read-models-failed',
            detail:
              `the read models failed: ${status.lastError?.message ?? 'unknown error'}` +
              (supervision.nextRetryAt ? `; attempt ${supervision.failures + 1} at ${supervision.nextRetryAt}` : ''),
          },
        ];
      case 'live':
        if (this.pending.length === 0) return [];
        {
          // Since the later of its last move and the first write it has not reached: an idle spell is not "stuck".
          const still = now - Math.max(this.checkpointMovedAt, this.pending[0].seenAt);
          if (still > maxLag) {
            return [{ code: 'read-models-stuck', detail: `the read models have not moved from position ${status.checkpoint} for ${still} ms while the log is at ${this.head}` }];
          }
        }
        if (lagMs > maxLag) return [{ code: 'read-models-behind', detail: `a write has waited ${lagMs} ms for the read models (limit ${maxLag} ms)` }];
        return [];
    }
  }

  /** Drops the heads the checkpoint has reached and notes when it last moved. */
  private track(status: RunnerStatus, now: number): void {
    if (status.checkpoint !== this.lastCheckpoint) {
      this.lastCheckpoint = status.checkpoint;
      this.checkpointMovedAt = now;
    }
    while (this.pending.length > 0 && this.pending[0].head <= status.checkpoint) this.pending.shift();
    if (status.state !== 'live') this.pending = [];
  }

  private async takeSample(): Promise<void> {
    const statusBefore = this.projections.runner.status();
    try {
      const head = await this.store.headPosition();
      this.head = head;
      this.storeError = undefined;
      const now = Date.now();
      this.track(statusBefore, now);
      const newest = this.pending.at(-1)?.head ?? statusBefore.checkpoint;
      if (statusBefore.state === 'live' && head > newest) this.pending.push({ head, seenAt: now });
    } catch (error) {
      this.storeError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() - this.probedAt >= PROBE_INTERVAL_MS) {
      this.probedAt = Date.now();
      this.probe = await this.probeWrite();
    }
    this.sampledAt = new Date();
  }

  private async probeWrite(): Promise<Readiness['writeProbe']> {
    const file = join(this.config.dataDir, PROBE_FILE);
    const at = new Date().toISOString();
    try {
      const handle = await open(file, 'w');
      try {
        await handle.write(Buffer.alloc(PROBE_BYTES));
        await handle.sync();
      } finally {
        await handle.close();
      }
      return { ok: true, at };
    } catch (error) {
      return { ok: false, at, error: error instanceof Error ? error.message : String(error) };
    } finally {
      await unlink(file).catch(() => undefined);
    }
  }
}
