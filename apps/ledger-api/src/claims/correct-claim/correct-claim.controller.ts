import { Body, Controller, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CorrectClaim } from '@ledger/domain';
import { toPlain } from '../../ledger/dto/plain';
import { commandContext, created, CreatedBody } from '../../ledger/http/command-http';
import { CorrelationId, CurrentPrincipal, Principal, ProblemDto, Roles } from '../../ledger/http/request-context';
import { CorrectClaimCommand } from './correct-claim.command';
import { CorrectClaimDto } from './correct-claim.dto';

@ApiTags('claims')
@ApiBearerAuth()
@Controller('incidents/:incidentId/claims/:claimId/corrections')
export class CorrectClaimController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('recorder')
  @ApiOperation({ summary: 'Record that the claimant changed its own claim: a new version with a reason' })
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiCreatedResponse({ description: 'Location names the claim; the body gives the new version' })
  @ApiResponse({ status: 400, type: ProblemDto })
  @ApiResponse({ status: 404, type: ProblemDto })
  @ApiResponse({ status: 409, type: ProblemDto })
  @ApiResponse({ status: 422, type: ProblemDto, description: 'Not the claimant, claim retracted, or nothing changes' })
  async correct(
    @Param('incidentId', new ParseUUIDPipe()) incidentId: string,
    @Param('claimId', new ParseUUIDPipe()) claimId: string,
    @Body() body: CorrectClaimDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<CreatedBody> {
    const ctx = commandContext(req, principal.id, correlationId);
    const data = toPlain<CorrectClaim['data']>({ incidentId, claimId, ...body });
    const result = await this.commands.execute(new CorrectClaimCommand(data, ctx));
    const corrected = result.events.find((e) => e.type === 'ClaimCorrected');
    const version = corrected?.type === 'ClaimCorrected' ? String(corrected.data.version) : '';
    return created(reply, `/incidents/${incidentId}/claims/${claimId}`, result, { incidentId, claimId, version });
  }
}
