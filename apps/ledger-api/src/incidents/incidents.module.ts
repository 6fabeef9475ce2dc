import { Module } from '@nestjs/common';
import { GetIncidentCasualtiesController } from './get-incident-casualties/get-incident-casualties.controller';
import { GetIncidentTimelineController } from './get-incident-timeline/get-incident-timeline.controller';
import { GetIncidentController } from './get-incident/get-incident.controller';
import { GetPartyVersionsController } from './get-party-versions/get-party-versions.controller';
import { ListIncidentsController } from './list-incidents/list-incidents.controller';
import { MergeIncidentController } from './merge-incident/merge-incident.controller';
import { MergeIncidentHandler } from './merge-incident/merge-incident.handler';
import { SplitIncidentController } from './split-incident/split-incident.controller';
import { SplitIncidentHandler } from './split-incident/split-incident.handler';
import { ReportIncidentController } from './report-incident/report-incident.controller';
import { ReportIncidentHandler } from './report-incident/report-incident.handler';

@Module({
  controllers: [
    GetIncidentCasualtiesController,
    GetIncidentTimelineController,
    GetIncidentController,
    GetPartyVersionsController,
    ListIncidentsController,
    MergeIncidentController,
    ReportIncidentController,
    SplitIncidentController,
  ],
  providers: [
    MergeIncidentHandler,
    ReportIncidentHandler,
    SplitIncidentHandler,
  ],
})
export class IncidentsModule {}
