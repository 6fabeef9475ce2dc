import { Body, Controller, Param, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ClaimRetractedData } from '@ledger/domain';
import { toPlain } from '../../platform/http/dto/plain';
import { CommandContext } from '../../application/command-context';
import { created, CreatedBody } from '../../platform/http/command-http';
import { WriteContext, WriteEndpoint } from '../../platform/http/write-endpoint.decorator';
import { RetractClaimCommand } from './retract-claim.command';
import { RetractClaimDto } from './retract-claim.dto';
import { uuidParam } from '../../platform/http/uuid-param';

@ApiTags('claims')
@Controller('incidents/:incidentId/claims/:claimId/retraction')
export class RetractClaimController {
  constructor(private readonly commands: CommandBus) {}

  @WriteEndpoint({
    body: {
      type: RetractClaimDto,
      // Nobody retracted anything in the seed article; this shape is illustrative.
      examples: {
        example: {
          summary: 'Illustrative: a ministry withdraws its claim',
          value: {
            partyId: 'azerbaijan-foreign-ministry',
            reason: 'The ministry withdrew the statement after the talks were rescheduled.',
            statement: { text: 'The earlier statement no longer reflects the ministry position.', verbatim: false, language: 'en' },
            statedAt: { at: '2019-06-05', precision: 'day' },
            source: { title: 'Ministry press briefing', publisher: 'Ministry of Foreign Affairs of Azerbaijan', publishedAt: '2019-06-05' },
          },
        },
      },
    },
    summary: 'Record that the claimant withdrew its own claim',
    created: 'Location names the retracted claim',
    notFound: 'No such incident or claim',
    rules: 'Not the claimant, or already retracted',
  })
  async retract(
    @Param('incidentId', uuidParam('incidentId')) incidentId: string,
    @Param('claimId', uuidParam('claimId')) claimId: string,
    @Body() body: RetractClaimDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @WriteContext() ctx: CommandContext,
  ): Promise<CreatedBody> {
    const data = toPlain<ClaimRetractedData>({ incidentId, claimId, ...body });
    const result = await this.commands.execute(new RetractClaimCommand(data, ctx));
    return created(reply, `/incidents/${incidentId}/claims/${claimId}`, result, { incidentId, claimId });
  }
}
