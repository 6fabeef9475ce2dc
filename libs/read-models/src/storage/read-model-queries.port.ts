import stringify from 'safe-stable-stringify';
import { StoreUnavailableError } from '@ledger/event-store';
import { AggregateAnswer, AggregateQuery, AggregateThread, AggregateViewName, runAggregate } from '../runner/aggregate-thread';
import { isCorruptionError } from './read-model-file';
import { DEFAULT_CHECKPOINT_NAME } from '../runner/projection.runner';
import { ClaimHistoryDoc } from '../views/claim-history.view';
import { IncidentCasualties, SqlRows } from '../views/dashboard-stats.view';
import { EntriesPageRequest } from '../views/entries-page';
import { IncidentListItem } from '../views/incident-list.view';
import { IncidentTimelinePage } from '../views/incident-timeline.view';
import { PartyRecordDoc, PartyRecordRequest } from '../views/party-record.view';
import { KeptActivityCounts } from '../views/kept-activity-counts';
import { PartyVersionsPage, PartyVersionsRequest } from '../views/party-versions.view';
import { IncidentListFilter, Page, PageRequest, SqliteReadModelStore, StoredCheckpoint } from './sqlite-read-model.store';

/**
 * What the API asks of the read models, whichever store keeps them: the SQLite file, or the PostgreSQL schema when
 * LEDGER_READ_MODELS_URL is set. Asynchronous because a database server is; every answer is the same JSON whichever
 * store gives it. An abstract class so that it is its own provider token.
 */
export abstract class ReadModelQueries {
  abstract incident(incidentId: string): Promise<IncidentListItem | undefined>;
  abstract partyVersions(incidentId: string, page: PartyVersionsRequest): Promise<PartyVersionsPage | undefined>;
  abstract incidentTimeline(incidentId: string, page: EntriesPageRequest): Promise<IncidentTimelinePage | undefined>;
  abstract claimHistory(incidentId: string, claimId: string): Promise<ClaimHistoryDoc | undefined>;
  /** The whole record, or with `page` a page of its incidents (counts always of the whole record). */
  abstract partyRecord(partyId: string, page?: PartyRecordRequest): Promise<PartyRecordDoc | undefined>;
  abstract listPartyRecords(request?: PageRequest): Promise<Page<PartyRecordDoc>>;
  /** Rejects with InvalidQueryError (naming the field) for a filter no store could answer. */
  abstract listIncidents(filter?: IncidentListFilter): Promise<Page<IncidentListItem>>;
  /** Names the parties of a document folded elsewhere (time travel) from the registry in the read models. */
  abstract nameParties<T>(doc: T): Promise<T>;
  abstract incidentCasualties(incidentId: string): Promise<IncidentCasualties | undefined>;
  /** Hand-written aggregate SQL (the dashboards' statistics, in `sql.dialect`) from one snapshot. */
  abstract aggregate<T>(query: (sql: SqlRows) => T): Promise<T>;

  /** One of the dashboards' aggregates by name (AGGREGATE_VIEWS), from one snapshot; where the store can, off the HTTP thread. */
  aggregateView<N extends AggregateViewName>(name: N, query: AggregateQuery<N>): Promise<AggregateAnswer<N>> {
    return this.aggregate((sql) => runAggregate(sql, name, query));
  }
  abstract readCheckpoint(name?: string): Promise<StoredCheckpoint | undefined>;
}

/** The read models' database cannot be reached (PostgreSQL down or refusing): a 503 to the client, never a 500. */
export class ReadModelsUnreachableError extends StoreUnavailableError {
  constructor(cause: unknown) {
    super(`The read models' database is unreachable: ${cause instanceof Error ? cause.message : String(cause)}`, cause);
    this.name = 'ReadModelsUnreachableError';
  }
}

/**
 * The named aggregates' answers by query and by the read models' state (file generation and checkpoint) when asked: a
 * statistic counts every entry of the ledger (0.6 s each at 1,000,000 events), and ten dashboards opening their list
 * at once asked for the same four forty times. The same question asked again before the read models move, or while
 * its count is under way, shares that count. A count that fails is not kept.
 */
export class AggregateAnswers {
  private readonly answers = new Map<string, Promise<unknown>>();

  constructor(private readonly capacity = 64) {}

  get size(): number {
    return this.answers.size;
  }

  answer<T>(state: string, name: string, query: unknown, count: () => Promise<T>): Promise<T> {
    const key = `${state}|${name}|${stringify(query)}`;
    const kept = this.answers.get(key);
    if (kept) {
      this.answers.delete(key);
      this.answers.set(key, kept);
      return kept as Promise<T>;
    }
    const counted = count();
    this.answers.set(key, counted);
    counted.catch(() => this.answers.get(key) === counted && this.answers.delete(key));
    for (const oldest of this.answers.keys()) {
      if (this.answers.size <= this.capacity) break;
      this.answers.delete(oldest);
    }
    return counted;
  }
}

/**
 * The SQLite file's answers: its calls are synchronous, so each is a settled promise (a throw becomes a rejection). With
 * an AggregateThread the named aggregates run there, on a connection of its own, and the HTTP thread waits for nothing.
 */
export class SqliteReadModelQueries extends ReadModelQueries {
  private readonly answers = new AggregateAnswers();
  /** Without a thread, the activity statistics kept on the API's own connection. */
  private readonly activity = new KeptActivityCounts();

  constructor(
    private readonly store: SqliteReadModelStore,
    private readonly aggregates?: AggregateThread,
  ) {
    super();
  }

  override aggregateView<N extends AggregateViewName>(name: N, query: AggregateQuery<N>): Promise<AggregateAnswer<N>> {
    const count = async (): Promise<AggregateAnswer<N>> => {
      if (!this.aggregates) {
        const kept = { activity: this.activity, generation: this.store.fileGeneration };
        return this.aggregate((sql) => runAggregate(sql, name, query, kept));
      }
      try {
        return await this.aggregates.run(name, query, this.store.fileGeneration);
      } catch (error) {
        throw isCorruptionError(error) ? this.store.damageFound(error) : error;
      }
    };
    // The read models change only with their checkpoint (one transaction), or with a new file. Read before the count,
    // as the statistics' ETag is: while it has not moved, no commit came after the count began.
    let checkpoint: bigint;
    try {
      checkpoint = this.store.readCheckpoint(DEFAULT_CHECKPOINT_NAME)?.position ?? 0n;
    } catch {
      // A file that cannot say where it stands answers nothing kept: the count meets what is wrong and says so.
      return count();
    }
    return this.answers.answer(`${this.store.fileGeneration}:${checkpoint}`, name, query, count);
  }

  async incident(incidentId: string): Promise<IncidentListItem | undefined> {
    return this.store.incident(incidentId);
  }

  async partyVersions(incidentId: string, page: PartyVersionsRequest): Promise<PartyVersionsPage | undefined> {
    return this.store.partyVersions(incidentId, page);
  }

  async incidentTimeline(incidentId: string, page: EntriesPageRequest): Promise<IncidentTimelinePage | undefined> {
    return this.store.incidentTimeline(incidentId, page);
  }

  async claimHistory(incidentId: string, claimId: string): Promise<ClaimHistoryDoc | undefined> {
    return this.store.claimHistory(incidentId, claimId);
  }

  async partyRecord(partyId: string, page?: PartyRecordRequest): Promise<PartyRecordDoc | undefined> {
    return this.store.partyRecord(partyId, page);
  }

  async listPartyRecords(request: PageRequest = {}): Promise<Page<PartyRecordDoc>> {
    return this.store.listPartyRecords(request);
  }

  async listIncidents(filter: IncidentListFilter = {}): Promise<Page<IncidentListItem>> {
    return this.store.listIncidents(filter);
  }

  async nameParties<T>(doc: T): Promise<T> {
    return this.store.nameParties(doc);
  }

  async incidentCasualties(incidentId: string): Promise<IncidentCasualties | undefined> {
    return this.store.incidentCasualties(incidentId);
  }

  async aggregate<T>(query: (sql: SqlRows) => T): Promise<T> {
    return this.store.aggregate(query);
  }

  async readCheckpoint(name: string = DEFAULT_CHECKPOINT_NAME): Promise<StoredCheckpoint | undefined> {
    return this.store.readCheckpoint(name);
  }
}
