import { randomUUID } from 'node:crypto';
import { Body, Controller, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DenyClaim } from '@ledger/domain';
import { toPlain } from '../../ledger/dto/plain';
import { commandContext, created, CreatedBody } from '../../ledger/http/command-http';
import { entityId } from '../../ledger/idempotency';
import { CorrelationId, CurrentPrincipal, Principal, ProblemDto, Roles } from '../../ledger/http/request-context';
import { DenyClaimCommand } from './deny-claim.command';
import { DenyClaimDto } from './deny-claim.dto';

@ApiTags('claims')
@ApiBearerAuth()
@Controller('incidents/:incidentId/claims/:claimId/denials')
export class DenyClaimController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('recorder')
  @ApiOperation({ summary: "Record that a party denies another party's claim, wholly or on some assertions" })
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiCreatedResponse({ description: 'Location names the denied claim' })
  @ApiResponse({ status: 400, type: ProblemDto })
  @ApiResponse({ status: 404, type: ProblemDto })
  @ApiResponse({ status: 409, type: ProblemDto })
  @ApiResponse({ status: 422, type: ProblemDto, description: 'Denying its own claim, a retracted claim, or an assertion the claim does not make' })
  async deny(
    @Param('incidentId', new ParseUUIDPipe()) incidentId: string,
    @Param('claimId', new ParseUUIDPipe()) claimId: string,
    @Body() body: DenyClaimDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<CreatedBody> {
    const ctx = commandContext(req, principal.id, correlationId);
    const denialId = entityId(ctx, 'denial', randomUUID);
    const data = toPlain<DenyClaim['data']>({ incidentId, claimId, denialId, deniedAssertions: [], ...body });
    const result = await this.commands.execute(new DenyClaimCommand(data, ctx));
    return created(reply, `/incidents/${incidentId}/claims/${claimId}`, result, { incidentId, claimId, denialId });
  }
}
