import { Body, Controller, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ClaimRetractedData } from '@ledger/domain';
import { toPlain } from '../../ledger/dto/plain';
import { commandContext, created, CreatedBody } from '../../ledger/http/command-http';
import { CorrelationId, CurrentPrincipal, Principal, ProblemDto, Roles } from '../../ledger/http/request-context';
import { RetractClaimCommand } from './retract-claim.command';
import { RetractClaimDto } from './retract-claim.dto';

@ApiTags('claims')
@ApiBearerAuth()
@Controller('incidents/:incidentId/claims/:claimId/retraction')
export class RetractClaimController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('recorder')
  @ApiOperation({ summary: 'Record that the claimant withdrew its own claim' })
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiCreatedResponse({ description: 'Location names the retracted claim' })
  @ApiResponse({ status: 400, type: ProblemDto })
  @ApiResponse({ status: 404, type: ProblemDto })
  @ApiResponse({ status: 409, type: ProblemDto })
  @ApiResponse({ status: 422, type: ProblemDto, description: 'Not the claimant, or already retracted' })
  async retract(
    @Param('incidentId', new ParseUUIDPipe()) incidentId: string,
    @Param('claimId', new ParseUUIDPipe()) claimId: string,
    @Body() body: RetractClaimDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<CreatedBody> {
    const ctx = commandContext(req, principal.id, correlationId);
    const data = toPlain<ClaimRetractedData>({ incidentId, claimId, ...body });
    const result = await this.commands.execute(new RetractClaimCommand(data, ctx));
    return created(reply, `/incidents/${incidentId}/claims/${claimId}`, result, { incidentId, claimId });
  }
}
