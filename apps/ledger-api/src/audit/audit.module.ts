import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AuditedReadInterceptor } from './shared/audited-read.interceptor';
import { GetClaimHistoryAsOfController } from './get-claim-history-as-of/get-claim-history-as-of.controller';
import { GetIncidentChangesController } from './get-incident-changes/get-incident-changes.controller';
import { GetVersionsAsOfController } from './get-versions-as-of/get-versions-as-of.controller';

@Module({
  controllers: [
    GetClaimHistoryAsOfController,
    GetIncidentChangesController,
    GetVersionsAsOfController,
  ],
  providers: [
    { provide: APP_INTERCEPTOR, useClass: AuditedReadInterceptor },
  ],
})
export class AuditModule {}
