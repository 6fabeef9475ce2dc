import { randomUUID } from 'node:crypto';
import { Body, Controller, Param, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DenyClaim } from '@ledger/domain';
import { demoExamples } from '../../demo/scenario';
import { toPlain } from '../../platform/http/dto/plain';
import { CommandContext } from '../../application/command-context';
import { created, CreatedBody } from '../../platform/http/command-http';
import { entityId } from '../../application/idempotency';
import { WriteContext, WriteEndpoint } from '../../platform/http/write-endpoint.decorator';
import { DenyClaimCommand } from './deny-claim.command';
import { DenyClaimDto } from './deny-claim.dto';
import { uuidParam } from '../../platform/http/uuid-param';

@ApiTags('claims')
@Controller('incidents/:incidentId/claims/:claimId/denials')
export class DenyClaimController {
  constructor(private readonly commands: CommandBus) {}

  @WriteEndpoint({
    body: { type: DenyClaimDto, examples: demoExamples('denyClaim') },
    summary: "Record that a party denies another party's claim, wholly or on some assertions",
    created: 'Location names the denied claim',
    notFound: 'No such incident or claim',
    rules: 'Denying its own claim, a retracted claim, a version the claim does not have, or an assertion the denied version does not make',
  })
  async deny(
    @Param('incidentId', uuidParam('incidentId')) incidentId: string,
    @Param('claimId', uuidParam('claimId')) claimId: string,
    @Body() body: DenyClaimDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @WriteContext() ctx: CommandContext,
  ): Promise<CreatedBody> {
    const denialId = entityId(ctx, 'denial', randomUUID);
    const data = toPlain<DenyClaim['data']>({ incidentId, claimId, denialId, deniedAssertions: [], ...body });
    const result = await this.commands.execute(new DenyClaimCommand(data, ctx));
    return created(reply, `/incidents/${incidentId}/claims/${claimId}`, result, { incidentId, claimId, denialId });
  }
}
