import { randomUUID } from 'node:crypto';
import { Body, Controller, Param, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { IncidentReportedData } from '@ledger/domain';
import { toPlain } from '../../platform/http/dto/plain';
import { CommandContext } from '../../application/command-context';
import { created, CreatedBody } from '../../platform/http/command-http';
import { entityId } from '../../application/idempotency';
import { WriteContext, WriteEndpoint } from '../../platform/http/write-endpoint.decorator';
import { uuidParam } from '../../platform/http/uuid-param';
import { SplitIncidentCommand } from './split-incident.command';
import { SplitIncidentDto } from './split-incident.dto';

@ApiTags('incidents')
@Controller('incidents/:incidentId/splits')
export class SplitIncidentController {
  constructor(private readonly commands: CommandBus) {}

  @WriteEndpoint({
    body: { type: SplitIncidentDto, examples: {} },
    summary: 'Split chosen claims off this incident into a new incident: they count there from now on, nothing is deleted',
    description:
      'Two appends: this incident takes IncidentSplit (the commit point; If-Match, when sent, is checked against this incident), then the new incident takes IncidentReported and IncidentSplitFrom. ' +
      'Retried with the same Idempotency-Key, it records nothing new and completes a split a crash interrupted. The moved claims stay recorded here: their corrections, denials and retractions are still sent to this incident.',
    created: 'Location names the new incident; ETag is its revision, sourceRevision the revision of this incident’s IncidentSplit',
    notFound: 'No such incident',
    rules: 'unknown-claim (not recorded under this incident), claim-moved (split off before), incident-merged, and the rules of a report for the new incident',
  })
  async split(
    @Param('incidentId', uuidParam('incidentId')) incidentId: string,
    @Body() body: SplitIncidentDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @WriteContext() ctx: CommandContext,
  ): Promise<CreatedBody> {
    const { claimIds, reason, incident } = toPlain<{ claimIds: string[]; reason: string; incident: Omit<IncidentReportedData, 'incidentId'> }>(body);
    const newIncidentId = entityId(ctx, 'incident', randomUUID);
    const splitId = entityId(ctx, 'split', randomUUID);
    const result = await this.commands.execute(
      new SplitIncidentCommand({ incidentId, newIncidentId, splitId, claimIds, reason }, { ...incident, incidentId: newIncidentId }, ctx),
    );
    return created(reply, `/incidents/${result.newIncidentId}`, result.created, {
      incidentId: result.newIncidentId,
      sourceId: incidentId,
      splitId: result.splitId,
      sourceRevision: result.sourceRevision.toString(),
    });
  }
}
