import { randomUUID } from 'node:crypto';
import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { from, Observable, switchMap } from 'rxjs';
import { EVENT_STORE, EventStore } from '@ledger/event-store';
import { ACCESS_LOG_STREAM, AUDITED_READ_TYPE } from '@ledger/integrity';
import { correlationIdOf } from '../../platform/http/correlation';
import { ProblemException } from '../../platform/problem/problem.exception';
import { Clock } from '../../application/clock';
import { AUDITED_READ } from './audited-read.decorator';

/** What the access log keeps of one auditor read. */
export interface AuditedReadRecord {
  what: string;
  principal: string;
  roles: string[];
  method: string;
  /** Path and query string as asked. */
  url: string;
  at: string;
}

/**
 * Writes who asked what, and when, to the access-log stream before an auditor read runs: if the record cannot be
 * written, the read is refused, so no history, as-of, verify or export answer ever leaves unlogged. The stream is
 * hash-chained like every other, so the access log is as tamper-evident as the ledger.
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
    return from(this.record(what, request)).pipe(switchMap(() => next.handle()));
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
      url: request.url,
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
