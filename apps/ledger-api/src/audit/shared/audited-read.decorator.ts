import { SetMetadata, UseInterceptors, applyDecorators } from '@nestjs/common';
import { AUDITED_READ, AuditedReadInterceptor } from './audited-read.interceptor';

/**
 * Marks an auditor-only read (history, as-of, verify, export, proofs): each call is recorded in the access log with
 * who asked, what (route, parameters) and when, once it is answered (a rejected request is not).
 *
 * The interceptor is bound to these routes only, not to the whole app: any interceptor on a route puts every request
 * to it through Nest's RxJS pipeline and two AsyncResource.bind calls (each wrapping two deprecation shims on Node 20),
 * which every claim paid for while only these reads use it.
 */
export const AuditedRead = (what: string): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(AUDITED_READ, what), UseInterceptors(AuditedReadInterceptor));
