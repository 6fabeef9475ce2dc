import { randomUUID } from 'node:crypto';
import { Body, Controller, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EntryAmendedData } from '@ledger/domain';
import { toPlain } from '../../ledger/dto/plain';
import { commandContext, created, CreatedBody } from '../../ledger/http/command-http';
import { entityId } from '../../ledger/idempotency';
import { CorrelationId, CurrentPrincipal, Principal, ProblemDto, Roles } from '../../ledger/http/request-context';
import { AmendEntryCommand } from './amend-entry.command';
import { AmendEntryDto } from './amend-entry.dto';

@ApiTags('amendments')
@ApiBearerAuth()
@Controller('incidents/:incidentId/amendments')
export class AmendEntryController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('recorder')
  @ApiOperation({
    summary: "Fix the ledger's own transcription mistake in an earlier entry, with a reason",
    description: 'Never for a party changing its mind: that is a correction by the claimant.',
  })
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiCreatedResponse({ description: 'Location names the incident' })
  @ApiResponse({ status: 400, type: ProblemDto })
  @ApiResponse({ status: 404, type: ProblemDto, description: 'No such incident or entry' })
  @ApiResponse({ status: 409, type: ProblemDto })
  @ApiResponse({ status: 422, type: ProblemDto, description: 'Field not amendable for this entry, or nothing changes' })
  async amend(
    @Param('incidentId', new ParseUUIDPipe()) incidentId: string,
    @Body() body: AmendEntryDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<CreatedBody> {
    const ctx = commandContext(req, principal.id, correlationId);
    const amendmentId = entityId(ctx, 'amendment', randomUUID);
    const data = toPlain<EntryAmendedData>({ incidentId, amendmentId, ...body });
    const result = await this.commands.execute(new AmendEntryCommand(data, ctx));
    return created(reply, `/incidents/${incidentId}`, result, { incidentId, amendmentId });
  }
}
