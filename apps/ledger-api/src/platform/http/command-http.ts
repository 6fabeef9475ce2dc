import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemException } from '../problem/problem.exception';
import { CommandContext } from '../../application/command-context';
import { requestHash } from '../../application/idempotency';
import { StreamCommandResult } from '../../application/stream-command.executor';
import { noteWrittenPosition } from './written-position';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const ETAG = /^(?:W\/)?"(\d{1,19})"$/;

const header = (req: FastifyRequest, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** Parses an If-Match value of the form "3" (as sent back from our ETag) into a stream revision. */
export const parseIfMatch = (value: string | undefined): bigint | undefined => {
  if (value === undefined || value.trim() === '*') return undefined;
  const m = ETAG.exec(value.trim());
  if (!m) {
    throw new ProblemException(400, 'invalid-if-match', 'If-Match must be an ETag returned by the ledger, e.g. "3"', {
      field: 'If-Match',
    });
  }
  return BigInt(m[1]);
};

export const etagOf = (revision: bigint): string => `"${revision.toString()}"`;

export const commandContext = (req: FastifyRequest, principal: string, correlationId: string): CommandContext => {
  const key = header(req, 'idempotency-key');
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw new ProblemException(400, 'invalid-idempotency-key', 'Idempotency-Key must be 1 to 255 visible ASCII characters', {
      field: 'Idempotency-Key',
    });
  }
  const ctx: CommandContext = {
    principal,
    correlationId,
    causationId: randomUUID(),
    idempotencyKey: key,
    expectedRevision: parseIfMatch(header(req, 'if-match')),
  };
  if (key) hashOnFirstUse(ctx, () => requestHash(req.method, req.url, req.body));
  return ctx;
};

/**
 * Nest builds this context beside the body, before the validation pipe has run: hashing then would walk whatever the
 * client sent (10,000 levels of nesting overflow the stack; 1e400 is no JSON number to canonicalise) and answer 500
 * where the same body without a key gets the pipe's 400. The hash is first read when the command is executed, after
 * validation; the value is the same as when it was computed here.
 */
const hashOnFirstUse = (ctx: CommandContext, hash: () => string): void => {
  let value: string | undefined;
  Object.defineProperty(ctx, 'requestHash', { enumerable: true, configurable: true, get: () => (value ??= hash()) });
};

export interface CreatedBody {
  revision: string;
  position: string;
  [id: string]: string;
}

/** 201 with Location and ETag; a replayed Idempotency-Key answers exactly as the first time. */
export const created = (
  reply: FastifyReply,
  location: string,
  result: StreamCommandResult,
  ids: Record<string, string>,
): CreatedBody => {
  reply.status(201);
  reply.header('Location', location);
  reply.header('ETag', etagOf(result.revision));
  reply.header('Ledger-Position', result.position.toString());
  noteWrittenPosition(reply, result.position);
  if (result.replayed) reply.header('Idempotent-Replayed', 'true');
  return { ...ids, revision: result.revision.toString(), position: result.position.toString() };
};
