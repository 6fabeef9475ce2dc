import { Body, Controller, Param, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { demoExamples } from '../../demo/scenario';
import { toPlain } from '../../platform/http/dto/plain';
import { CommandContext } from '../../application/command-context';
import { created, CreatedBody } from '../../platform/http/command-http';
import { WriteContext, WriteEndpoint } from '../../platform/http/write-endpoint.decorator';
import { GradeSourceCommand, GradeSourceRequest } from './grade-source.command';
import { GradeSourceDto } from './grade-source.dto';
import { uuidParam } from '../../platform/http/uuid-param';

@ApiTags('claims')
@Controller('incidents/:incidentId/claims/:claimId/grades')
export class GradeSourceController {
  constructor(private readonly commands: CommandBus) {}

  @WriteEndpoint({
    body: {
      type: GradeSourceDto,
      examples: {
        ...demoExamples('gradeSource'),
        regrade: {
          summary: 'Illustrative: an analyst downgrades a version after monitors contradict it',
          value: { reliability: 'C', credibility: 4, claimVersion: 1, reason: 'The OSCE monitoring of 4 June found no trace of the reported shelling.' },
        },
      },
    },
    summary: "Grade the source and information of a claim version (Admiralty system: reliability A-F, credibility 1-6)",
    description:
      'The ledger’s assessment, not the party’s: recorded as its own event (SourceGraded) with the grader (the caller) and the time, so a regrade is another event and every grade stays in the claim’s history. ' +
      'Readers may then ask for versions and disagreements counting only claims graded at least so well (`minReliability`, `minCredibility` on GET /incidents/{incidentId}/versions). A retracted claim may still be graded.',
    created: 'Location names the claim; the body gives the claim version graded',
    notFound: 'No such incident or claim',
    rules: 'A version the claim does not have (claim-version-not-found), the grade the version has already (grade-unchanged), or a regrade without its reason (text-required)',
  })
  async grade(
    @Param('incidentId', uuidParam('incidentId')) incidentId: string,
    @Param('claimId', uuidParam('claimId')) claimId: string,
    @Body() body: GradeSourceDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @WriteContext() ctx: CommandContext,
  ): Promise<CreatedBody> {
    const data = toPlain<GradeSourceRequest>({ incidentId, claimId, ...body });
    const result = await this.commands.execute(new GradeSourceCommand(data, ctx));
    return created(reply, `/incidents/${incidentId}/claims/${claimId}`, result, { incidentId, claimId, claimVersion: String(result.claimVersion) });
  }
}
