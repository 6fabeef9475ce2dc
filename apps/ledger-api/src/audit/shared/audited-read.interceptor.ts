import { randomUUID } from 'node:crypto';
import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { concatMap, from, map, Observable } from 'rxjs';
import { EVENT_STORE, EventStore } from '@ledger/event-store';
import { ACCESS_LOG_STREAM, AUDITED_READ_TYPE } from '@ledger/integrity';
import { correlationIdOf } from '../../platform/http/correlation';
import { ProblemException } from '../../platform/problem/problem.exception';
import { Clock } from '../../application/clock';

/** The metadata key of @AuditedRead: what the read is, for its access-log record. */
export const AUDITED_READ = 'ledger:audited-read';

/** What the access log keeps of one auditor read. */
export interface AuditedReadRecord {
  what: string;
  principal: string;
  roles: string[];
  method: string;
  /** Path and query string as asked, cut to MAX_RECORDED_URL_LENGTH characters. */
  url: string;
  /** Present when the URL was longer than what is kept. */
  urlTruncated?: true;
  at: string;
}

/** Keeps every entry of the append-only access log small, whatever a caller puts in its query string. */
export const MAX_RECORDED_URL_LENGTH = 1_024;

/**
 * Writes who asked what, and when, to the access-log stream once an auditor read has its answer and before the answer
 * leaves: if the record cannot be written, the answer is withheld (503), so no history, as-of, verify or export answer
 * ever leaves unlogged. A read that was rejected (400, 404, 503...) is not written: the append-only log would
 * otherwise grow with whatever a client sends; the request log has it. The stream is hash-chained like every other, so
 * the access log is as tamper-evident as the ledger.
 */
@Injectable()
export class AuditedReadInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const what = this.reflector.getAllAndOverride<string | undefined>(AUDITED_READ, [context.getHandler(), context.getClass()]);
    if (what === undefined) return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    return next.handle().pipe(concatMap((answer) => from(this.record(what, request)).pipe(map(() => answer))));
  }

  private async record(what: string, request: FastifyRequest): Promise<void> {
    const at = this.clock.now().toISOString();
    const principal = request.principal;
    const correlationId = correlationIdOf(request) ?? randomUUID();
    const data: AuditedReadRecord = {
      what,
      principal: principal?.id ?? 'anonymous',
      roles: [...(principal?.roles ?? [])],
      method: request.method,
      url: request.url.slice(0, MAX_RECORDED_URL_LENGTH),
      ...(request.url.length > MAX_RECORDED_URL_LENGTH ? { urlTruncated: true as const } : {}),
      at,
    };
    try {
      await this.store.append(
        ACCESS_LOG_STREAM,
        [{ eventId: randomUUID(), type: AUDITED_READ_TYPE, data, metadata: { recordedAt: at, recordedBy: data.principal, correlationId, causationId: correlationId } }],
        { expectedRevision: 'any' },
      );
    } catch (error) {
      throw new ProblemException(503, 'access-log-unavailable', 'The read could not be written to the access log, so it is refused; try again.', {}, {
        headers: { 'Retry-After': '1' },
        cause: error,
      });
    }
  }
}
