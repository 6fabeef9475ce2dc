import { randomUUID } from 'node:crypto';
import { Body, Controller, Param, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { toPlain } from '../../platform/http/dto/plain';
import { CommandContext } from '../../application/command-context';
import { created, CreatedBody } from '../../platform/http/command-http';
import { entityId } from '../../application/idempotency';
import { WriteContext, WriteEndpoint } from '../../platform/http/write-endpoint.decorator';
import { uuidParam } from '../../platform/http/uuid-param';
import { MergeIncidentCommand } from './merge-incident.command';
import { MergeIncidentDto } from './merge-incident.dto';

@ApiTags('incidents')
@Controller('incidents/:incidentId/merge')
export class MergeIncidentController {
  constructor(private readonly commands: CommandBus) {}

  @WriteEndpoint({
    body: { type: MergeIncidentDto, examples: {} },
    summary: 'Merge this incident into another found to be the same event: its claims count there, it points there, nothing is deleted',
    description:
      'Two appends: this incident takes IncidentMergedInto (the commit point; If-Match, when sent, is checked against this incident), then the survivor takes IncidentsMerged. ' +
      'Sending the same merge again (with or without the Idempotency-Key) records nothing new and completes a merge a crash interrupted. ' +
      'Afterwards this incident refuses new claims (422 incident-merged, with survivorId); corrections, denials and retractions of the claims recorded under it are still sent here.',
    created: 'Location names the survivor; ETag is the survivor’s revision, absorbedRevision the revision of this incident’s IncidentMergedInto',
    notFound: 'No such incident (field incidentId) or no such survivor (field survivorId)',
    rules: 'merge-into-itself; incident-merged (this incident was merged into another survivor, or the survivor was merged: survivorId names where to merge); merge-cycle',
  })
  async merge(
    @Param('incidentId', uuidParam('incidentId')) incidentId: string,
    @Body() body: MergeIncidentDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @WriteContext() ctx: CommandContext,
  ): Promise<CreatedBody> {
    const { survivorId, reason } = toPlain<{ survivorId: string; reason: string }>(body);
    const mergeId = entityId(ctx, 'merge', randomUUID);
    const result = await this.commands.execute(new MergeIncidentCommand(incidentId, survivorId, mergeId, reason, ctx));
    return created(reply, `/incidents/${survivorId}`, result.survivor, {
      survivorId: survivorId,
      absorbedId: incidentId,
      mergeId: result.mergeId,
      absorbedRevision: result.absorbedRevision.toString(),
    });
  }
}
