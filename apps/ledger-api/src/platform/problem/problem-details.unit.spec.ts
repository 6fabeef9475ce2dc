import { BadRequestException, ForbiddenException, HttpException, InternalServerErrorException, ServiceUnavailableException } from '@nestjs/common';
import { DomainError } from '@ledger/domain/shared/domain-error';
import { StoreRefusedError, StoreUnavailableError, WrongExpectedRevisionError } from '@ledger/event-store/event-store.port';
import { AggregatesBusyError, AggregatesUnavailableError } from '@ledger/read-models/runner/aggregate-thread';
import { AuditReadsBusyError, AuditReadsUnavailableError } from '@ledger/read-models/runner/audit-thread';
import { WriteContentionError } from '../../application/application-errors';
import { ProblemException, problemType, toKebabCase } from './problem.exception';
import { toProblem } from './problem-details';

describe('toProblem', () => {
  const ctx = { instance: '/incidents/1', correlationId: 'c-1' };

  it('maps DomainError kinds to 404, 409 and 422 with code and field', () => {
    const notFound = toProblem(new DomainError('incident-not-found', 'No incident 1.', 'not-found'), ctx);
    expect(notFound.status).toBe(404);
    expect(notFound.body).toEqual({
      type: 'https://incident-ledger.dev/problems/incident-not-found',
      title: 'Not found',
      status: 404,
      detail: 'No incident 1.',
      instance: '/incidents/1',
      code: 'incident-not-found',
      correlationId: 'c-1',
      field: null,
    });
    expect(toProblem(new DomainError('claim-already-retracted', 'Retracted.', 'conflict')).status).toBe(409);
    const rule = toProblem(new DomainError('CORRECTION_BY_NON_CLAIMANT', 'Only the claimant corrects.', 'rule', 'partyId'));
    expect(rule.status).toBe(422);
    expect(rule.body).toMatchObject({
      code: 'CORRECTION_BY_NON_CLAIMANT',
      type: 'https://incident-ledger.dev/problems/correction-by-non-claimant',
      field: 'partyId',
    });
  });

  it('recognises a DomainError from another copy of the library by name', () => {
    const foreign = Object.assign(new Error('gone'), { name: 'DomainError', code: 'x-missing', kind: 'not-found' });
    expect(toProblem(foreign).status).toBe(404);
  });

  it("maps the server's own file system failures (a full disk, too many open files) to 503 disk-unavailable with Retry-After", () => {
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write', errno: -28 });
    const p = toProblem(full, ctx);
    expect(p.status).toBe(503);
    expect(p.headers['retry-after']).toBe('5');
    expect(p.body).toMatchObject({ code: 'disk-unavailable', title: 'Disk unavailable', detail: 'The server could not read or write its files (ENOSPC in write). Retry later.' });
    expect(p.logLevel).toBe('error');
    expect(toProblem(Object.assign(new Error('EMFILE'), { code: 'EMFILE', syscall: 'open' })).status).toBe(503);
    // Not a file system call's error (no syscall), or not one a retry can get past: left to the other rules.
    expect(toProblem(Object.assign(new Error('x'), { code: 'ENOSPC' })).status).toBe(500);
    expect(toProblem(Object.assign(new Error('x'), { code: 'ENOENT', syscall: 'open' })).status).toBe(500);
  });

  it("maps SQLite's failures to write or open its own files (a fold's temporary files on a full disk) to 503 disk-unavailable", () => {
    const full = Object.assign(new Error('database or disk is full'), { name: 'SqliteError', code: 'SQLITE_FULL' });
    expect(toProblem(full, ctx)).toMatchObject({ status: 503, headers: { 'retry-after': '5' }, body: { code: 'disk-unavailable', detail: expect.stringContaining('SQLITE_FULL in SQLite') } });
    // As it crosses from the audit thread: its name and code (storeErrorOf).
    expect(toProblem(Object.assign(new Error('disk I/O error'), { name: 'SqliteError', code: 'SQLITE_IOERR_WRITE' })).status).toBe(503);
    expect(toProblem(Object.assign(new Error('unable to open database file'), { name: 'SqliteError', code: 'SQLITE_CANTOPEN' })).status).toBe(503);
    // A statement's own fault is a bug, not the disk's.
    expect(toProblem(Object.assign(new Error('no such table: x'), { name: 'SqliteError', code: 'SQLITE_ERROR' })).status).toBe(500);
  });

  it('maps WrongExpectedRevisionError to 409 with revisions as strings', () => {
    const p = toProblem(new WrongExpectedRevisionError('incident-1', 4n, 6n));
    expect(p.status).toBe(409);
    expect(p.body).toMatchObject({ code: 'wrong-expected-revision', currentRevision: '6', expectedRevision: '4' });
    const noStream = toProblem(new WrongExpectedRevisionError('incident-1', 'stream_exists', undefined));
    expect(noStream.body).toMatchObject({ currentRevision: null, expectedRevision: 'stream_exists' });
  });

  it('maps StoreUnavailableError to 503 with Retry-After, logged as a warning', () => {
    const p = toProblem(new StoreUnavailableError('down'));
    expect(p).toMatchObject({ status: 503, headers: { 'retry-after': '5' }, logLevel: 'warn' });
  });

  it.each([
    ['access-denied', 403, 'store-access-denied', 'error'],
    ['stream-deleted', 410, 'stream-deleted', 'warn'],
    ['too-large', 413, 'event-too-large', 'warn'],
    ['invalid-position', 400, 'invalid-position', 'warn'],
  ] as const)('maps StoreRefusedError %s to %i %s without Retry-After', (reason, status, code, logLevel) => {
    const p = toProblem(new StoreRefusedError(reason, 'refused'));
    expect(p).toMatchObject({ status, body: { status, code }, headers: {}, logLevel });
  });

  it('maps the application layer\'s WriteContentionError to 503 write-contention with Retry-After 1, naming the stream', () => {
    const p = toProblem(new WriteContentionError('incident-1', 5));
    expect(p).toMatchObject({ status: 503, headers: { 'retry-after': '1' }, logLevel: 'warn' });
    expect(p.body).toMatchObject({ code: 'write-contention', detail: expect.stringContaining('incident-1') });
  });

  it('maps a statistics thread that is busy or gone to 503 statistics-unavailable with Retry-After 1, saying why', () => {
    for (const error of [new AggregatesBusyError(16), new AggregatesUnavailableError('The statistics thread exited (code 1); try again')]) {
      const p = toProblem(error);
      expect(p).toMatchObject({ status: 503, headers: { 'retry-after': '1' }, logLevel: 'warn' });
      expect(p.body).toMatchObject({ code: 'statistics-unavailable', detail: error.message });
    }
  });

  it('maps an audit reads\' thread that is busy or gone to 503 audit-reads-unavailable with Retry-After 1, not to the store\'s 503', () => {
    for (const error of [new AuditReadsBusyError(8), new AuditReadsUnavailableError("The audit reads' thread exited (code 1); try again")]) {
      const p = toProblem(error);
      expect(p).toMatchObject({ status: 503, headers: { 'retry-after': '1' }, logLevel: 'warn' });
      expect(p.body).toMatchObject({ code: 'audit-reads-unavailable', detail: error.message });
    }
  });

  it('recovers Fastify error codes from the exceptions Nest makes of them', () => {
    const json = toProblem(new HttpException("Body is not valid JSON but content-type is set to 'application/json'", 400));
    expect(json.body.code).toBe('invalid-json');
    const tooLarge = toProblem(new HttpException('Request body is too large', 413), { bodyLimitBytes: 10 });
    expect(tooLarge.body).toMatchObject({ code: 'payload-too-large', status: 413, detail: expect.stringContaining('10 bytes') });
    expect(toProblem(new HttpException('Unsupported Media Type', 415)).body.code).toBe('unsupported-media-type');
    const empty = toProblem(new HttpException("Body cannot be empty when content-type is set to 'application/json'", 400));
    expect(empty.body.code).toBe('empty-body');
  });

  it('maps raw Fastify errors and status-tagged SyntaxErrors', () => {
    const fst = Object.assign(new Error('whatever'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 });
    expect(toProblem(fst).body.code).toBe('payload-too-large');
    const syntax = Object.assign(new SyntaxError('Unexpected token'), { statusCode: 400 });
    expect(toProblem(syntax).body.code).toBe('invalid-json');
  });

  it('keeps status and message of HttpExceptions, without Nest’s own members', () => {
    const p = toProblem(new ForbiddenException('Not yours.'));
    expect(p.body).toEqual({
      type: 'https://incident-ledger.dev/problems/forbidden',
      title: 'Forbidden',
      status: 403,
      detail: 'Not yours.',
      code: 'forbidden',
    });
    expect(toProblem(new BadRequestException(['a must be set', 'b must be set'])).body.detail).toBe('a must be set; b must be set');
  });

  it('keeps data-carrying members of an HttpException response (e.g. health check details)', () => {
    const p = toProblem(new HttpException({ message: 'Slow down', retryInSeconds: 3, error: 'Too Many Requests' }, 429));
    expect(p.body).toMatchObject({ status: 429, code: 'too-many-requests', detail: 'Slow down', retryInSeconds: 3 });
    expect(p.body).not.toHaveProperty('error');
  });

  it('hides the message of a 500 HttpException and of unknown errors', () => {
    const http = toProblem(new InternalServerErrorException('connection string esdb://admin:secret@x'));
    expect(JSON.stringify(http.body)).not.toContain('secret');
    expect(http.logLevel).toBe('error');
    const unknown = toProblem('a thrown string');
    expect(unknown).toMatchObject({ status: 500, logLevel: 'error', body: { code: 'internal-error' } });
    const typeError = toProblem(new TypeError("Cannot read properties of undefined (reading 'x')"));
    expect(typeError.body.detail).not.toContain('undefined');
  });

  it('keeps other 5xx HttpExceptions as they are', () => {
    const p = toProblem(new ServiceUnavailableException('Read models are rebuilding.'));
    expect(p.body).toMatchObject({ status: 503, code: 'service-unavailable', detail: 'Read models are rebuilding.' });
  });

  it('renders ProblemException extensions JSON-safe and never lets them replace standard members', () => {
    const p = toProblem(
      new ProblemException(409, 'duplicate-claim', 'Already recorded.', {
        status: 200,
        position: 12n,
        nested: { revisions: [1n, 2n] },
      }),
    );
    expect(p.status).toBe(409);
    expect(p.body).toMatchObject({ status: 409, position: '12', nested: { revisions: ['1', '2'] } });
    expect(() => JSON.stringify(p.body)).not.toThrow();
  });
});

describe('problem type URIs', () => {
  it.each([
    ['incident-not-found', 'incident-not-found'],
    ['INCIDENT_NOT_FOUND', 'incident-not-found'],
    ['IncidentNotFound', 'incident-not-found'],
    ['claim.already retracted', 'claim-already-retracted'],
  ])('%s -> %s', (code, kebab) => {
    expect(toKebabCase(code)).toBe(kebab);
    expect(problemType(code)).toBe(`https://incident-ledger.dev/problems/${kebab}`);
  });
});
