import { randomUUID } from 'node:crypto';
import { Body, Controller, Param, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ClaimMadeData } from '@ledger/domain';
import { demoExamples } from '../../demo/scenario';
import { toPlain } from '../../platform/http/dto/plain';
import { CommandContext } from '../../application/command-context';
import { created, CreatedBody } from '../../platform/http/command-http';
import { entityId } from '../../application/idempotency';
import { WriteContext, WriteEndpoint } from '../../platform/http/write-endpoint.decorator';
import { MakeClaimCommand } from './make-claim.command';
import { MakeClaimDto } from './make-claim.dto';
import { uuidParam } from '../../platform/http/uuid-param';

@ApiTags('claims')
@Controller('incidents/:incidentId/claims')
export class MakeClaimController {
  constructor(private readonly commands: CommandBus) {}

  @WriteEndpoint({
    body: { type: MakeClaimDto, examples: demoExamples('makeClaim') },
    summary: 'Record what a party states about an incident, with its source and structured assertions',
    created: 'Location names the claim',
    notFound: 'No such incident',
    rules: "Unknown party, unknown answered claim, invalid estimate; a superseded claim that is not in the incident, is another party's, is retracted or is the claim itself",
  })
  async make(
    @Param('incidentId', uuidParam('incidentId')) incidentId: string,
    @Body() body: MakeClaimDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @WriteContext() ctx: CommandContext,
  ): Promise<CreatedBody> {
    const claimId = entityId(ctx, 'claim', randomUUID);
    const data = toPlain<ClaimMadeData>({ incidentId, claimId, answers: [], assertions: {}, supersedes: [], ...body });
    const result = await this.commands.execute(new MakeClaimCommand(data, ctx));
    return created(reply, `/incidents/${incidentId}/claims/${claimId}`, result, { incidentId, claimId });
  }
}
