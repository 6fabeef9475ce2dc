import { randomUUID } from 'node:crypto';
import { Body, Controller, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { IncidentReportedData } from '@ledger/domain';
import { demoExamples } from '../../demo/scenario';
import { toPlain } from '../../platform/http/dto/plain';
import { CommandContext } from '../../application/command-context';
import { created, CreatedBody } from '../../platform/http/command-http';
import { entityId } from '../../application/idempotency';
import { WriteContext, WriteEndpoint } from '../../platform/http/write-endpoint.decorator';
import { ReportIncidentCommand } from './report-incident.command';
import { ReportIncidentDto } from './report-incident.dto';

@ApiTags('incidents')
@Controller('incidents')
export class ReportIncidentController {
  constructor(private readonly commands: CommandBus) {}

  @WriteEndpoint({
    body: { type: ReportIncidentDto, examples: demoExamples('reportIncident') },
    summary: 'Open an incident: what happened, when and where, as the ledger first knows it',
    created: 'Location names the incident',
  })
  async report(
    @Body() body: ReportIncidentDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @WriteContext() ctx: CommandContext,
  ): Promise<CreatedBody> {
    const incidentId = entityId(ctx, 'incident', randomUUID);
    const data = toPlain<IncidentReportedData>({ incidentId, ...body });
    const result = await this.commands.execute(new ReportIncidentCommand(data, ctx));
    return created(reply, `/incidents/${incidentId}`, result, { incidentId });
  }
}
