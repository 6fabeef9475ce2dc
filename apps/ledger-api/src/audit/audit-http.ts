import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { incidentStream } from '@ledger/domain';
import { EventStore } from '@ledger/event-store';
import { AsOf, AsOfError, AsOfJson, LedgerEnvelope, linkedIncidentsOf, toEnvelope } from '@ledger/read-models';
import { ProblemException } from '../platform/problem/problem.exception';
import { RequestValidationException } from '../platform/problem/validation.pipe';

/**
 * The as-of moment of an audit read: at most one of the three clocks. The
 * values are parsed by the library's parseAsOf (shared with the CLI), so
 * the DTO only lets them through as single strings.
 */
export class AsOfQueryDto {
  @ApiPropertyOptional({
    example: '2019-06-03T09:10:00Z',
    description:
      'As the ledger knew it then: events recorded at or before this instant (ISO-8601 with offset; a bare date means the end of that UTC day).',
  })
  @IsOptional()
  @IsString()
  recordedAsOf?: string;

  @ApiPropertyOptional({
    example: '2019-05-31',
    description:
      "What the parties had said by then, however late the ledger recorded it: statements whose stated time certainly lies at or before this instant (a statement known to the day counts once that day is over). The incident's own report is always shown.",
  })
  @IsOptional()
  @IsString()
  statedAsOf?: string;

  @ApiPropertyOptional({ example: '12', description: 'Events at or before this global log position (a whole number, 0 or more).' })
  @IsOptional()
  @IsString()
  position?: string;
}

/** Runs a parse of as-of input, turning the library's AsOfError into the 400 problem that names each field at fault. */
export const asOfInput = <T>(parse: () => T): T => {
  try {
    return parse();
  } catch (error) {
    if (error instanceof AsOfError) throw new RequestValidationException(error.fields.map((field) => ({ field, messages: [error.message] })));
    throw error;
  }
};

/**
 * Every event of one incident, in log order. The read models answered here
 * (party versions, claim history) are functions of the incident's stream
 * alone: neither reads the party registry or other incidents.
 */
export const readIncidentLog = async (store: EventStore, incidentId: string): Promise<LedgerEnvelope[]> => {
  // After merges and splits, the streams of the incidents whose entries count in this one too, in log order.
  const read = new Map<string, LedgerEnvelope[]>();
  const queue = [incidentId];
  while (queue.length > 0 && read.size < MAX_LINKED_STREAMS) {
    const id = queue.shift()!;
    if (read.has(id)) continue;
    const envelopes = (await store.readStream(incidentStream(id))).map(toEnvelope);
    read.set(id, envelopes);
    queue.push(...linkedIncidentsOf(envelopes));
  }
  const all = [...read.values()];
  return all.length === 1 ? all[0] : all.flat().sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
};

/** A bound on the streams one incident's audit reads gathers (merges chain; a cycle stops at the first revisit anyway). */
const MAX_LINKED_STREAMS = 256;

export const describeAsOf = (asOf: AsOfJson): string =>
  asOf.clock === 'position' ? `log position ${asOf.position}` : `${asOf.clock} time ${asOf.at}`;

/** 404 for something that was not in the ledger at the moment asked about (it may be now). */
export const notAsOf = (what: string, asOf: AsOfJson): ProblemException =>
  new ProblemException(404, 'not-found', `${what} is not in the ledger as of ${describeAsOf(asOf)}`, { asOf });

/** The moment an audit read without as-of input answers for: the ledger as it stands, on the recorded clock. */
export const nowAsOf = (now: Date): AsOf => ({ clock: 'recorded', at: now.toISOString() });
