import { randomUUID } from 'node:crypto';
import { Body, Controller, Param, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { EntryAmendedData } from '@ledger/domain';
import { demoExamples } from '../../demo/scenario';
import { toPlain } from '../../platform/http/dto/plain';
import { CommandContext } from '../../application/command-context';
import { created, CreatedBody } from '../../platform/http/command-http';
import { entityId } from '../../application/idempotency';
import { WriteContext, WriteEndpoint } from '../../platform/http/write-endpoint.decorator';
import { AmendEntryCommand } from './amend-entry.command';
import { AmendEntryDto } from './amend-entry.dto';
import { uuidParam } from '../../platform/http/uuid-param';

@ApiTags('amendments')
@Controller('incidents/:incidentId/amendments')
export class AmendEntryController {
  constructor(private readonly commands: CommandBus) {}

  @WriteEndpoint({
    body: { type: AmendEntryDto, examples: demoExamples('amendEntry') },
    summary: "Fix the ledger's own transcription mistake in an earlier entry, with a reason",
    description: 'Never for a party changing its mind: that is a correction by the claimant.',
    created: 'Location names the incident',
    notFound: 'No such incident or entry',
    rules: 'Field not amendable for this entry, or nothing changes',
  })
  async amend(
    @Param('incidentId', uuidParam('incidentId')) incidentId: string,
    @Body() body: AmendEntryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @WriteContext() ctx: CommandContext,
  ): Promise<CreatedBody> {
    const amendmentId = entityId(ctx, 'amendment', randomUUID);
    const data = toPlain<EntryAmendedData>({ incidentId, amendmentId, ...body });
    const result = await this.commands.execute(new AmendEntryCommand(data, ctx));
    return created(reply, `/incidents/${incidentId}`, result, { incidentId, amendmentId });
  }
}
