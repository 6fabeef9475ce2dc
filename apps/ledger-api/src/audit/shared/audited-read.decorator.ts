import { SetMetadata } from '@nestjs/common';

export const AUDITED_READ = 'ledger:audited-read';

/**
 * Marks an auditor-only read (history, as-of, verify, export, proofs): each call is recorded in the access log with
 * who asked, what (route, parameters) and when, once it is answered (a rejected request is not).
 */
export const AuditedRead = (what: string): MethodDecorator & ClassDecorator => SetMetadata(AUDITED_READ, what);
