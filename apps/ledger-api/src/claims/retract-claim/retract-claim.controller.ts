import { Body, Controller, Param, ParseUUIDPipe, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ClaimRetractedData } from '@ledger/domain';
import { toPlain } from '../../ledger/dto/plain';
import { CommandContext } from '../../ledger/command-context';
import { created, CreatedBody } from '../../ledger/http/command-http';
import { WriteContext, WriteEndpoint } from '../../ledger/http/write-endpoint.decorator';
import { RetractClaimCommand } from './retract-claim.command';
import { RetractClaimDto } from './retract-claim.dto';

@ApiTags('claims')
@Controller('incidents/:incidentId/claims/:claimId/retraction')
export class RetractClaimController {
  constructor(private readonly commands: CommandBus) {}

  @WriteEndpoint({
    body: { action: 'retractClaim', type: RetractClaimDto },
    summary: 'Record that the claimant withdrew its own claim',
    created: 'Location names the retracted claim',
    notFound: 'No such incident or claim',
    rules: 'Not the claimant, or already retracted',
  })
  async retract(
    @Param('incidentId', new ParseUUIDPipe()) incidentId: string,
    @Param('claimId', new ParseUUIDPipe()) claimId: string,
    @Body() body: RetractClaimDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @WriteContext() ctx: CommandContext,
  ): Promise<CreatedBody> {
    const data = toPlain<ClaimRetractedData>({ incidentId, claimId, ...body });
    const result = await this.commands.execute(new RetractClaimCommand(data, ctx));
    return created(reply, `/incidents/${incidentId}/claims/${claimId}`, result, { incidentId, claimId });
  }
}
