import { HttpException } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { errorCodes as fastifyErrorCodes } from 'fastify';
// Deep imports keep this filter independent of everything else the lib barrels load (e.g. native SQLite).
import { DomainError, type DomainErrorKind } from '@ledger/domain/shared/domain-error';
import { StoreRefusal, StoreRefusedError, StoreUnavailableError, WrongExpectedRevisionError } from '@ledger/event-store/event-store.port';
import { WriteContentionError } from '../../application/application-errors';
import { ProblemException, problemType, RESERVED_PROBLEM_MEMBERS, type ProblemDetails } from './problem.exception';

export interface ProblemContext {
  /** Request path, used as the problem's `instance`. */
  instance?: string;
  correlationId?: string;
  /** The body limit of the route, to tell the client what would have fitted. */
  bodyLimitBytes?: number;
  /** The request's Content-Type, quoted back in a 415. */
  contentType?: string;
}

export interface RenderedProblem {
  status: number;
  body: ProblemDetails;
  headers: Record<string, string>;
  /** How loudly the filter should log: server faults are errors, client faults are routine. */
  logLevel: 'error' | 'warn' | 'debug';
}

export const STORE_UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

const GENERIC_500_DETAIL =
  'The ledger failed to handle this request. The failure has been logged; quote the correlation id when reporting it.';

const CODE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  406: 'not-acceptable',
  408: 'request-timeout',
  409: 'conflict',
  410: 'gone',
  411: 'length-required',
  412: 'precondition-failed',
  413: 'payload-too-large',
  414: 'uri-too-long',
  415: 'unsupported-media-type',
  422: 'unprocessable-content',
  428: 'precondition-required',
  429: 'too-many-requests',
  500: 'internal-error',
  501: 'not-implemented',
  502: 'bad-gateway',
  503: 'service-unavailable',
  504: 'gateway-timeout',
};

const DOMAIN_STATUS: Readonly<Record<DomainErrorKind, { status: number; title: string }>> = {
  'not-found': { status: 404, title: 'Not found' },
  conflict: { status: 409, title: "Conflicts with the ledger's current state" },
  rule: { status: 422, title: 'Refused by a ledger rule' },
};

/**
 * The store's refusals that retrying cannot change, as the client's problem. The statuses say what the client can do:
 * 403, this write or read is forbidden to the ledger on this stream by the store's own access rules (nothing the client
 * changes will help; the operator must); 410, the stream is gone for good; 413, the content makes an event larger
 * than the store takes; 400, the position sent does not name a place in the log.
 */
const STORE_REFUSALS: Readonly<Record<StoreRefusal, { status: number; code: string; title: string; detail: string }>> = {
  'access-denied': {
    status: 403,
    code: 'store-access-denied',
    title: 'Refused by the event store',
    detail: "The event store's access rules do not allow the ledger this operation; retrying will not help. The operator has been told.",
  },
  'stream-deleted': {
    status: 410,
    code: 'stream-deleted',
    title: 'Stream deleted',
    detail: 'The stream this request reads or writes was deleted from the event store; it cannot be read or written again.',
  },
  'too-large': {
    status: 413,
    code: 'event-too-large',
    title: 'Event too large',
    detail: 'The event this request would record is larger than the event store accepts in one append; send less content.',
  },
  'invalid-position': {
    status: 400,
    code: 'invalid-position',
    title: 'Invalid log position',
    detail: 'The position sent is not the position of an event in the log; use a position the ledger returned.',
  },
};

interface FastifyProblem {
  code: string;
  status: number;
  title: string;
  detail: (ctx: ProblemContext) => string;
}

/** Client errors Fastify raises before a handler runs (body parsing, content negotiation). */
const FASTIFY_PROBLEMS: Readonly<Record<string, FastifyProblem>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    code: 'invalid-json',
    status: 400,
    title: 'Malformed JSON',
    detail: () => 'The request body is not valid JSON.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'empty-body',
    status: 400,
    title: 'Empty request body',
    detail: () => 'The request body is empty but Content-Type says JSON; send a JSON document.',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'payload-too-large',
    status: 413,
    title: 'Request body too large',
    detail: (ctx) =>
      ctx.bodyLimitBytes === undefined
        ? 'The request body is larger than the ledger accepts.'
        : `The request body is larger than the ${ctx.bodyLimitBytes} bytes the ledger accepts.`,
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'unsupported-media-type',
    status: 415,
    title: 'Unsupported media type',
    detail: (ctx) =>
      `${ctx.contentType ? `Content-Type ${ctx.contentType}` : 'A request body without a Content-Type'} is not accepted; send application/json.`,
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'invalid-content-length',
    status: 400,
    title: 'Content-Length mismatch',
    detail: () => 'The request body size did not match its Content-Length header.',
  },
};

/**
 * Nest turns a Fastify error into `new HttpException(err.message, err.statusCode)`
 * and drops its code, so the code is recovered from the (fixed) message.
 */
const FASTIFY_CODE_BY_MESSAGE: ReadonlyMap<string, string> = new Map([
  // Fastify 4 and 5 messages, in case the copy Nest runs differs from ours.
  ["Body is not valid JSON but content-type is set to 'application/json'", 'FST_ERR_CTP_INVALID_JSON_BODY'],
  ["Body cannot be empty when content-type is set to 'application/json'", 'FST_ERR_CTP_EMPTY_JSON_BODY'],
  ['Request body is too large', 'FST_ERR_CTP_BODY_TOO_LARGE'],
  ['Unsupported Media Type', 'FST_ERR_CTP_INVALID_MEDIA_TYPE'],
  ['Request body size did not match Content-Length', 'FST_ERR_CTP_INVALID_CONTENT_LENGTH'],
  ...Object.keys(FASTIFY_PROBLEMS).flatMap((code) => {
    const ctor = (fastifyErrorCodes as unknown as Record<string, (new () => Error) | undefined>)[code];
    return ctor ? [[new ctor().message, code] as [string, string]] : [];
  }),
]);

/** Maps anything thrown while handling a request to the problem the client sees. Pure, for testing. */
export function toProblem(exception: unknown, ctx: ProblemContext = {}): RenderedProblem {
  const base = (status: number, code: string, title: string, detail: string): ProblemDetails => ({
    type: problemType(code),
    title,
    status,
    detail,
    ...(ctx.instance !== undefined ? { instance: ctx.instance } : {}),
    code,
    ...(ctx.correlationId !== undefined ? { correlationId: ctx.correlationId } : {}),
  });

  if (exception instanceof ProblemException) {
    const status = exception.getStatus();
    const body = base(status, exception.code, exception.title ?? titleFor(status), exception.detail);
    return { status, body: withExtensions(body, exception.extensions), headers: { ...exception.headers }, logLevel: levelFor(status) };
  }

  const domain = asDomainError(exception);
  if (domain) {
    const { status, title } = DOMAIN_STATUS[domain.kind] ?? DOMAIN_STATUS.rule;
    const body = base(status, domain.code, title, domain.message);
    body.field = domain.field ?? null;
    return { status, body: withExtensions(body, domain.details ?? {}), headers: {}, logLevel: 'debug' };
  }

  const revision = asWrongExpectedRevision(exception);
  if (revision) {
    const current = revision.actual === undefined ? null : revision.actual.toString();
    const expected = String(revision.expected);
    const detail =
      current === null
        ? `The stream does not exist, but revision ${expected} was expected. Re-read it before writing.`
        : `The stream is at revision ${current}, but ${expected} was expected: it changed since you read it. Re-read it and retry.`;
    const body = base(409, 'wrong-expected-revision', 'Revision conflict', detail);
    body.currentRevision = current;
    body.expectedRevision = expected;
    return { status: 409, body, headers: {}, logLevel: 'debug' };
  }

  if (exception instanceof WriteContentionError) {
    const body = base(503, exception.code, titleFor(503), exception.message);
    return { status: 503, body, headers: { 'retry-after': String(exception.retryAfterSeconds) }, logLevel: 'warn' };
  }

  if (exception instanceof Error && exception.name === 'ReadModelsUnavailableError') {
    const body = base(503, 'read-models-unavailable', 'Read models unavailable', 'The read models were found damaged and are being rebuilt from the event log. Retry later.');
    return { status: 503, body, headers: { 'retry-after': String(STORE_UNAVAILABLE_RETRY_AFTER_SECONDS) }, logLevel: 'warn' };
  }

  if (exception instanceof Error && (exception.name === 'AggregatesBusyError' || exception.name === 'AggregatesUnavailableError')) {
    const body = base(503, 'statistics-unavailable', 'Statistics unavailable', exception.message);
    return { status: 503, body, headers: { 'retry-after': '1' }, logLevel: 'warn' };
  }

  if (exception instanceof Error && (exception.name === 'AuditReadsBusyError' || exception.name === 'AuditReadsUnavailableError')) {
    const body = base(503, 'audit-reads-unavailable', 'Audit reads unavailable', exception.message);
    return { status: 503, body, headers: { 'retry-after': '1' }, logLevel: 'warn' };
  }

  if (exception instanceof Error && exception.name === 'ReadModelsUnreachableError') {
    const body = base(503, 'read-models-unavailable', 'Read models unavailable', "The read models' database cannot be reached. Retry later.");
    return { status: 503, body, headers: { 'retry-after': String(STORE_UNAVAILABLE_RETRY_AFTER_SECONDS) }, logLevel: 'warn' };
  }

  const refused = asStoreRefused(exception);
  if (refused) {
    const p = STORE_REFUSALS[refused.reason];
    // No Retry-After: the same request would be refused again. An access rule is the operator's to fix, so it is logged loudly.
    return { status: p.status, body: base(p.status, p.code, p.title, p.detail), headers: {}, logLevel: refused.reason === 'access-denied' ? 'error' : 'warn' };
  }

  if (isStoreUnavailable(exception)) {
    const body = base(
      503,
      'store-unavailable',
      'Event store unavailable',
      'The event store is temporarily unavailable. Retry later.',
    );
    return { status: 503, body, headers: { 'retry-after': String(STORE_UNAVAILABLE_RETRY_AFTER_SECONDS) }, logLevel: 'warn' };
  }

  const disk = diskErrorOf(exception);
  if (disk) {
    const body = base(503, 'disk-unavailable', 'Disk unavailable', `The server could not read or write its files (${disk}). Retry later.`);
    // Not the client's doing and not transient on its own: the operator has to free space or file handles.
    return { status: 503, body, headers: { 'retry-after': String(STORE_UNAVAILABLE_RETRY_AFTER_SECONDS) }, logLevel: 'error' };
  }

  const fastifyCode = fastifyErrorCode(exception);
  if (fastifyCode) {
    const p = FASTIFY_PROBLEMS[fastifyCode];
    return { status: p.status, body: base(p.status, p.code, p.title, p.detail(ctx)), headers: {}, logLevel: 'debug' };
  }

  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const { message, extras } = splitNestResponse(response, exception.message);
    const detail = status === 500 ? GENERIC_500_DETAIL : message;
    const body = base(status, codeFor(status), titleFor(status), detail);
    return { status, body: status >= 500 ? body : withExtensions(body, extras), headers: {}, logLevel: levelFor(status) };
  }

  // Errors from outside Nest that carry a client status (e.g. a Fastify error Nest did not map).
  const foreignStatus = clientStatusOf(exception);
  if (foreignStatus !== undefined) {
    const detail = exception instanceof Error && exception.message ? exception.message : (STATUS_CODES[foreignStatus] ?? 'Error');
    return { status: foreignStatus, body: base(foreignStatus, codeFor(foreignStatus), titleFor(foreignStatus), detail), headers: {}, logLevel: 'debug' };
  }

  return { status: 500, body: base(500, 'internal-error', titleFor(500), GENERIC_500_DETAIL), headers: {}, logLevel: 'error' };
}

function withExtensions(body: ProblemDetails, extensions: Readonly<Record<string, unknown>>): ProblemDetails {
  for (const [key, value] of Object.entries(extensions)) {
    if (!RESERVED_PROBLEM_MEMBERS.has(key)) body[key] = jsonSafe(value);
  }
  return body;
}

/** Revisions and positions are bigint; JSON has no bigint, and they exceed 2^53 on EventStoreDB. */
function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  }
  return value;
}

function splitNestResponse(response: string | object, fallback: string): { message: string; extras: Record<string, unknown> } {
  if (typeof response === 'string') return { message: response, extras: {} };
  const { message, statusCode: _statusCode, error, ...rest } = response as Record<string, unknown>;
  const extras: Record<string, unknown> = { ...rest };
  // Nest's default shape repeats the reason phrase as `error`; anything else there is real data (e.g. terminus).
  if (error !== undefined && typeof error !== 'string') extras.error = error;
  const text = Array.isArray(message) ? message.map(String).join('; ') : typeof message === 'string' ? message : fallback;
  return { message: text, extras };
}

function asDomainError(e: unknown): DomainError | undefined {
  if (e instanceof DomainError) return e;
  // A second copy of the domain lib (another bundle, a jest module registry) breaks instanceof.
  if (e instanceof Error && e.name === 'DomainError' && typeof (e as DomainError).code === 'string') return e as DomainError;
  return undefined;
}

function asWrongExpectedRevision(e: unknown): WrongExpectedRevisionError | undefined {
  if (e instanceof WrongExpectedRevisionError) return e;
  if (e instanceof Error && e.name === 'WrongExpectedRevisionError' && 'expected' in e) return e as WrongExpectedRevisionError;
  return undefined;
}

function asStoreRefused(e: unknown): StoreRefusedError | undefined {
  if (e instanceof StoreRefusedError) return e;
  if (e instanceof Error && e.name === 'StoreRefusedError' && typeof (e as StoreRefusedError).reason === 'string' && (e as StoreRefusedError).reason in STORE_REFUSALS) {
    return e as StoreRefusedError;
  }
  return undefined;
}

function isStoreUnavailable(e: unknown): boolean {
  return e instanceof StoreUnavailableError || (e instanceof Error && e.name === 'StoreUnavailableError');
}

function fastifyErrorCode(e: unknown): string | undefined {
  if (e instanceof HttpException && !(e instanceof ProblemException)) {
    const response = e.getResponse();
    const code = typeof response === 'string' ? FASTIFY_CODE_BY_MESSAGE.get(response) : undefined;
    if (code) return code;
  }
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code in FASTIFY_PROBLEMS) return code;
  // A JSON parser without Fastify's wrapping reports a SyntaxError tagged 400.
  if (e instanceof SyntaxError && clientStatusOf(e) === 400) return 'FST_ERR_CTP_INVALID_JSON_BODY';
  return undefined;
}

function clientStatusOf(e: unknown): number | undefined {
  if (e === null || typeof e !== 'object') return undefined;
  const s = (e as { statusCode?: unknown; status?: unknown }).statusCode ?? (e as { status?: unknown }).status;
  return typeof s === 'number' && Number.isInteger(s) && s >= 400 && s < 500 ? s : undefined;
}

/** Errors of the server's own file system calls (Node's, with a syscall) that a retry may get past once the operator acts. */
const DISK_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EROFS', 'EMFILE', 'ENFILE']);

/**
 * SQLite's own failures to write or open its files: the folds of auditors' reads and the statistics' sorts write to
 * SQLite's temporary files, where a full disk is SQLITE_FULL, not ENOSPC.
 */
const SQLITE_DISK_ERRORS = /^SQLITE_(FULL|IOERR(_[A-Z_]+)?|CANTOPEN)$/;

const diskErrorOf = (exception: unknown): string | undefined => {
  if (!(exception instanceof Error)) return undefined;
  const { code, syscall } = exception as NodeJS.ErrnoException;
  if (exception.name === 'SqliteError' && typeof code === 'string' && SQLITE_DISK_ERRORS.test(code)) return `${code} in SQLite`;
  return typeof code === 'string' && DISK_ERRORS.has(code) && typeof syscall === 'string' ? `${code} in ${syscall}` : undefined;
};

export function codeFor(status: number): string {
  return CODE_BY_STATUS[status] ?? `http-${status}`;
}

export function titleFor(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

function levelFor(status: number): RenderedProblem['logLevel'] {
  if (status >= 500) return status === 503 ? 'warn' : 'error';
  return 'debug';
}
