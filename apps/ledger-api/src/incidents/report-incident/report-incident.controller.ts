import { randomUUID } from 'node:crypto';
import { Body, Controller, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { IncidentReportedData } from '@ledger/domain';
import { toPlain } from '../../ledger/dto/plain';
import { CommandContext } from '../../ledger/command-context';
import { created, CreatedBody } from '../../ledger/http/command-http';
import { entityId } from '../../ledger/idempotency';
import { WriteContext, WriteEndpoint } from '../../ledger/http/write-endpoint.decorator';
import { ReportIncidentCommand } from './report-incident.command';
import { ReportIncidentDto } from './report-incident.dto';

@ApiTags('incidents')
@Controller('incidents')
export class ReportIncidentController {
  constructor(private readonly commands: CommandBus) {}

  @WriteEndpoint({
    body: { action: 'reportIncident', type: ReportIncidentDto },
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
