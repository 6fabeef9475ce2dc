import { randomUUID } from 'node:crypto';
import { Body, Controller, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IncidentReportedData } from '@ledger/domain';
import { toPlain } from '../../ledger/dto/plain';
import { commandContext, created, CreatedBody } from '../../ledger/http/command-http';
import { entityId } from '../../ledger/idempotency';
import { CorrelationId, CurrentPrincipal, Principal, ProblemDto, Roles } from '../../ledger/http/request-context';
import { ReportIncidentCommand } from './report-incident.command';
import { ReportIncidentDto } from './report-incident.dto';

@ApiTags('incidents')
@ApiBearerAuth()
@Controller('incidents')
export class ReportIncidentController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('recorder')
  @ApiOperation({ summary: 'Open an incident: what happened, when and where, as the ledger first knows it' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiCreatedResponse({ description: 'Location names the incident, ETag its stream revision' })
  @ApiResponse({ status: 400, type: ProblemDto })
  @ApiResponse({ status: 422, type: ProblemDto })
  async report(
    @Body() body: ReportIncidentDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<CreatedBody> {
    const ctx = commandContext(req, principal.id, correlationId);
    const incidentId = entityId(ctx, 'incident', randomUUID);
    const data = toPlain<IncidentReportedData>({ incidentId, ...body });
    const result = await this.commands.execute(new ReportIncidentCommand(data, ctx));
    return created(reply, `/incidents/${incidentId}`, result, { incidentId });
  }
}
