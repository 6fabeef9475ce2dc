import { Module } from '@nestjs/common';
import { GetClaimHistoryAsOfController } from './get-claim-history-as-of/get-claim-history-as-of.controller';
import { GetIncidentChangesController } from './get-incident-changes/get-incident-changes.controller';
import { GetVersionsAsOfController } from './get-versions-as-of/get-versions-as-of.controller';

/** The auditors' time-travel reads; @AuditedRead binds the access-log interceptor to each audited route itself. */
@Module({
  controllers: [
    GetClaimHistoryAsOfController,
    GetIncidentChangesController,
    GetVersionsAsOfController,
  ],
})
export class AuditModule {}
