import { randomUUID } from 'node:crypto';
import { Body, Controller, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ClaimMadeData } from '@ledger/domain';
import { toPlain } from '../../ledger/dto/plain';
import { commandContext, created, CreatedBody } from '../../ledger/http/command-http';
import { entityId } from '../../ledger/idempotency';
import { CorrelationId, CurrentPrincipal, Principal, ProblemDto, Roles } from '../../ledger/http/request-context';
import { MakeClaimCommand } from './make-claim.command';
import { MakeClaimDto } from './make-claim.dto';

@ApiTags('claims')
@ApiBearerAuth()
@Controller('incidents/:incidentId/claims')
export class MakeClaimController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('recorder')
  @ApiOperation({ summary: 'Record what a party states about an incident, with its source and structured assertions' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The incident ETag last seen; 409 if the incident changed since' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiCreatedResponse({ description: 'Location names the claim, ETag is the incident revision' })
  @ApiResponse({ status: 400, type: ProblemDto })
  @ApiResponse({ status: 404, type: ProblemDto, description: 'No such incident' })
  @ApiResponse({ status: 409, type: ProblemDto, description: 'If-Match is stale' })
  @ApiResponse({ status: 422, type: ProblemDto, description: 'Unknown party, unknown answered claim, invalid estimate' })
  async make(
    @Param('incidentId', new ParseUUIDPipe()) incidentId: string,
    @Body() body: MakeClaimDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<CreatedBody> {
    const ctx = commandContext(req, principal.id, correlationId);
    const claimId = entityId(ctx, 'claim', randomUUID);
    const data = toPlain<ClaimMadeData>({ incidentId, claimId, answers: [], assertions: {}, ...body });
    const result = await this.commands.execute(new MakeClaimCommand(data, ctx));
    return created(reply, `/incidents/${incidentId}/claims/${claimId}`, result, { incidentId, claimId });
  }
}
