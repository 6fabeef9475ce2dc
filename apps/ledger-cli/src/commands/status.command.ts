import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { isLedgerStreamName, parseStoredType } from '@ledger/domain';
import { START } from '@ledger/event-store';
import { DEFAULT_CHECKPOINT_NAME, LEDGER_PROJECTIONS, projectionVersionsOf } from '@ledger/read-models';
import { CliOutput } from '../cli-output';
import { CliError, EXIT, GlobalOptions, openEventStore, openReadModelStore, resolveLedgerFiles } from '../ledger-files';

const PAGE_SIZE = 1000;

export interface StatusOptions extends GlobalOptions {
  json?: boolean;
  check?: boolean;
}

export interface LedgerStatus {
  dataDir: string;
  eventLog: {
    file: string;
    headPosition: string;
    events: number;
    streams: number;
    eventsByType: Record<string, number>;
    /** Stored types this build cannot read: the read models stop at the first one in a ledger stream. */
    unknownTypes: string[];
  };
  readModels: {
    file: string;
    /** False when the file does not exist yet (the API has never run on this directory, or it was deleted). */
    exists: boolean;
    checkpointName: string;
    /** null when there is no checkpoint. */
    checkpoint: string | null;
    storedProjectionVersions: Record<string, number> | null;
    codeProjectionVersions: Record<string, number>;
    projectionVersionsMatch: boolean;
    /** Rows per read-model table. */
    rows: Record<string, number>;
  };
  /** The checkpoint is the log's head and the read models were built by this build's projections. */
  inSync: boolean;
}

export const readStatus = async (options: GlobalOptions): Promise<LedgerStatus> => {
  const files = resolveLedgerFiles(options);
  const eventStore = openEventStore(files);
  try {
    const headPosition = await eventStore.headPosition();
    const eventsByType = new Map<string, number>();
    const streams = new Set<string>();
    // Only ledger streams must hold registry types; bookkeeping streams (Idempotency-Key reservations) are not replayed.
    const unknownTypes = new Set<string>();
    let events = 0;
    for (let from = START; ; ) {
      const page = await eventStore.readAll({ direction: 'forwards', fromPosition: from, maxCount: PAGE_SIZE });
      if (page.length === 0) break;
      for (const event of page) {
        eventsByType.set(event.type, (eventsByType.get(event.type) ?? 0) + 1);
        streams.add(event.streamName);
        if (isLedgerStreamName(event.streamName) && parseStoredType(event.type) === undefined) unknownTypes.add(event.type);
      }
      events += page.length;
      from = page[page.length - 1].position;
    }
    const types = [...eventsByType.keys()].sort();

    const codeProjectionVersions = projectionVersionsOf(LEDGER_PROJECTIONS);
    const exists = existsSync(files.readModelsFile);
    let checkpoint: { position: bigint; projectionVersions: Record<string, number> } | undefined;
    let rows: Record<string, number> = {};
    if (exists) {
      const readModels = openReadModelStore(files);
      try {
        checkpoint = readModels.readCheckpoint(DEFAULT_CHECKPOINT_NAME);
        rows = readModels.tableCounts();
      } finally {
        readModels.close();
      }
    }
    const projectionVersionsMatch = checkpoint !== undefined && sameVersions(checkpoint.projectionVersions, codeProjectionVersions);
    return {
      dataDir: files.dataDir,
      eventLog: {
        file: files.eventsFile,
        headPosition: headPosition.toString(),
        events,
        streams: streams.size,
        eventsByType: Object.fromEntries(types.map((t) => [t, eventsByType.get(t)!])),
        unknownTypes: types.filter((t) => unknownTypes.has(t)),
      },
      readModels: {
        file: files.readModelsFile,
        exists,
        checkpointName: DEFAULT_CHECKPOINT_NAME,
        checkpoint: checkpoint?.position.toString() ?? null,
        storedProjectionVersions: checkpoint?.projectionVersions ?? null,
        codeProjectionVersions,
        projectionVersionsMatch,
        rows,
      },
      inSync: checkpoint !== undefined && checkpoint.position === headPosition && projectionVersionsMatch,
    };
  } finally {
    await eventStore.close();
  }
};

const sameVersions = (a: Record<string, number>, b: Record<string, number>): boolean =>
  Object.keys(a).length === Object.keys(b).length && Object.keys(a).every((k) => a[k] === b[k]);

const table = (rows: Array<[string, string | number]>, indent = '  '): string[] => {
  const width = Math.max(0, ...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${indent}${k.padEnd(width)}  ${v}`);
};

export const formatStatus = (s: LedgerStatus): string => {
  const rm = s.readModels;
  const versions = (v: Record<string, number>) =>
    Object.entries(v)
      .map(([name, version]) => `${name} v${version}`)
      .join(', ');
  const readModelLine = !rm.exists
    ? `none yet (${rm.file} does not exist; the API or rebuild creates it)`
    : rm.checkpoint === null
      ? `no checkpoint in ${rm.file} (never built)`
      : `checkpoint ${rm.checkpoint} (${rm.checkpointName}) in ${rm.file}`;
  const behind = rm.checkpoint === null ? '' : ` (log head ${s.eventLog.headPosition}, read-model checkpoint ${rm.checkpoint})`;
  const lines = [
    `Data directory     ${s.dataDir}`,
    `Event log          head position ${s.eventLog.headPosition}, ${s.eventLog.events} events in ${s.eventLog.streams} streams (${s.eventLog.file})`,
    `Read models        ${readModelLine}`,
    `Projection versions ${
      rm.storedProjectionVersions === null
        ? `this build: ${versions(rm.codeProjectionVersions)}`
        : rm.projectionVersionsMatch
          ? `current (${versions(rm.codeProjectionVersions)})`
          : `stale: built by ${versions(rm.storedProjectionVersions)}; this build has ${versions(rm.codeProjectionVersions)}`
    }`,
    `In sync            ${s.inSync ? 'yes' : 'no'}${s.inSync ? '' : behind}`,
    'Events by type',
    ...(s.eventLog.events === 0
      ? ['  (none)']
      : table(
          Object.entries(s.eventLog.eventsByType).map(([type, n]) => [
            type,
            s.eventLog.unknownTypes.includes(type) ? `${n}  UNKNOWN to this build: the read models cannot replay it` : n,
          ]),
        )),
  ];
  if (rm.exists) lines.push('Rows by read-model table', ...table(Object.entries(rm.rows)));
  return lines.join('\n');
};

export const statusCommand = (out: CliOutput): Command =>
  new Command('status')
    .description("Show the event log's head position, the read models' checkpoint, whether they match, and event counts per type")
    .option('--json', 'print the status as one JSON object')
    .option('--check', `exit with code ${EXIT.outOfSync} when the read models are not in sync with the log`)
    .addHelpText(
      'after',
      `
Reads only; safe to run while the ledger API is running (the numbers are then
a snapshot that may already have moved on).`,
    )
    .action(async (_options: StatusOptions, command: Command) => {
      const options = command.optsWithGlobals<StatusOptions>();
      const status = await readStatus(options);
      out.result(options.json ? JSON.stringify(status, null, 2) : formatStatus(status));
      if (options.check && !status.inSync) throw new CliError('Read models are not in sync with the event log.', EXIT.outOfSync);
    });
