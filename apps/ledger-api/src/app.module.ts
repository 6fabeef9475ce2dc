import { DynamicModule, Module } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { CqrsModule } from '@nestjs/cqrs';
import { AdminModule } from './admin/admin.module';
import { AmendmentsModule } from './amendments/amendments.module';
import { ApplicationModule, ApplicationOptions } from './application/application.module';
import { AuditModule } from './audit/audit.module';
import { ClaimsModule } from './claims/claims.module';
import { ContractsModule } from './contracts/contracts.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { FeedModule } from './feed/feed.module';
import { HealthModule } from './health/health.module';
import { ImportsModule } from './imports/imports.module';
import { IncidentsModule } from './incidents/incidents.module';
import { IntegrityModule } from './integrity/integrity.module';
import { PartiesModule } from './parties/parties.module';
import { StatsModule } from './stats/stats.module';
import { MetricsModule } from './metrics/metrics.module';
import { LedgerPlatformModule, TokenRegistry } from './platform';

export interface LedgerAppOptions extends ApplicationOptions {
  tokens: TokenRegistry;
  /** Where the JSON request log goes (tests capture it); stdout when absent. */
  requestLogStream?: DestinationStream;
}

/** The ledger API: the platform, the application layer, then one module per area. A new use case goes in its area's module. */
@Module({})
export class AppModule {
  static forRoot(options: LedgerAppOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LedgerPlatformModule.forRoot({ config: options.config, tokens: options.tokens }),
        MetricsModule,
        CqrsModule.forRoot(),
        ApplicationModule.forRoot(options),
        PartiesModule,
        StatsModule,
        IncidentsModule,
        ClaimsModule,
        AmendmentsModule,
        ImportsModule,
        AuditModule,
        IntegrityModule,
        FeedModule,
        ContractsModule,
        AdminModule,
        HealthModule,
        DashboardModule,
      ],
    };
  }
}
