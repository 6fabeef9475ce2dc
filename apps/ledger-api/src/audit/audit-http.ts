import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { AsOf, AsOfError, AsOfJson, AuditRead, AuditReads, EntriesPageRequest, WHOLE_AS_OF_MAX_ENTRIES } from '@ledger/read-models';
import { digestEtag } from '../platform/http/conditional-get';
import { entriesPage, pagedRead } from '../platform/http/query-http';
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

const asOfProblem = (error: unknown): unknown =>
  error instanceof AsOfError ? new RequestValidationException(error.fields.map((field) => ({ field, messages: [error.message] }))) : error;

/** Runs a parse of as-of input, turning the library's AsOfError into the 400 problem that names each field at fault. */
export const asOfInput = <T>(parse: () => T): T => {
  try {
    return parse();
  } catch (error) {
    throw asOfProblem(error);
  }
};

/**
 * The page an audit read was asked for: none without `limit` and `after` (the read then answers whole up to
 * WHOLE_AS_OF_MAX_ENTRIES claims and denials, past that with their first page); `after` alone pages by that many.
 */
export const auditPage = (q: { limit?: number; after?: string }): EntriesPageRequest | undefined =>
  q.limit !== undefined || q.after !== undefined ? { ...entriesPage(q), ...(q.limit === undefined ? { limit: WHOLE_AS_OF_MAX_ENTRIES } : {}) } : undefined;

/**
 * An audit read folded by `reads` (in a thread of its own in the built API), sent as the bytes it comes back as, with
 * the ETag of their digest (taken there too): a 404 for what was not in the ledger at the moment asked about, a 400
 * naming the field for moments that do not compare.
 */
export const auditAnswer = async (reads: AuditReads, read: AuditRead, reply: FastifyReply): Promise<Buffer> => {
  const answer = await pagedRead(() => reads.run(read)).catch((error: unknown) => {
    throw asOfProblem(error);
  });
  if (!answer.found) throw notAsOf(answer.what, answer.asOf);
  reply.type('application/json; charset=utf-8');
  reply.header('ETag', digestEtag(answer.sha256));
  return Buffer.from(answer.body.buffer, answer.body.byteOffset, answer.body.byteLength);
};

export const describeAsOf = (asOf: AsOfJson): string =>
  asOf.clock === 'position' ? `log position ${asOf.position}` : `${asOf.clock} time ${asOf.at}`;

/** 404 for something that was not in the ledger at the moment asked about (it may be now). */
export const notAsOf = (what: string, asOf: AsOfJson): ProblemException =>
  new ProblemException(404, 'not-found', `${what} is not in the ledger as of ${describeAsOf(asOf)}`, { asOf });

/** The moment an audit read without as-of input answers for: the ledger as it stands, on the recorded clock. */
export const nowAsOf = (now: Date): AsOf => ({ clock: 'recorded', at: now.toISOString() });
