import { Module } from '@nestjs/common';
import { GetActivityStatsController } from './get-activity-stats/get-activity-stats.controller';
import { GetIncidentsContestedStatsController } from './get-incidents-contested-stats/get-incidents-contested-stats.controller';
import { GetPartyDirectoryController } from './get-party-directory/get-party-directory.controller';

/** Aggregates over the read models for dashboards' tiles and charts. */
@Module({
  controllers: [
    GetActivityStatsController,
    GetIncidentsContestedStatsController,
    GetPartyDirectoryController,
  ],
})
export class StatsModule {}
