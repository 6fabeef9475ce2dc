import { Body, Controller, Param, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CorrectClaim } from '@ledger/domain';
import { demoExamples } from '../../demo/scenario';
import { toPlain } from '../../platform/http/dto/plain';
import { CommandContext } from '../../application/command-context';
import { created, CreatedBody } from '../../platform/http/command-http';
import { WriteContext, WriteEndpoint } from '../../platform/http/write-endpoint.decorator';
import { CorrectClaimCommand } from './correct-claim.command';
import { CorrectClaimDto } from './correct-claim.dto';
import { uuidParam } from '../../platform/http/uuid-param';

@ApiTags('claims')
@Controller('incidents/:incidentId/claims/:claimId/corrections')
export class CorrectClaimController {
  constructor(private readonly commands: CommandBus) {}

  @WriteEndpoint({
    body: { type: CorrectClaimDto, examples: demoExamples('correctClaim') },
    summary: 'Record that the claimant changed its own claim: a new version with a reason',
    created: 'Location names the claim; the body gives the new version',
    notFound: 'No such incident or claim',
    rules: 'Not the claimant, claim retracted, or nothing changes',
  })
  async correct(
    @Param('incidentId', uuidParam('incidentId')) incidentId: string,
    @Param('claimId', uuidParam('claimId')) claimId: string,
    @Body() body: CorrectClaimDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @WriteContext() ctx: CommandContext,
  ): Promise<CreatedBody> {
    const data = toPlain<CorrectClaim['data']>({ incidentId, claimId, ...body });
    const result = await this.commands.execute(new CorrectClaimCommand(data, ctx));
    return created(reply, `/incidents/${incidentId}/claims/${claimId}`, result, { incidentId, claimId, version: String(result.version) });
  }
}
