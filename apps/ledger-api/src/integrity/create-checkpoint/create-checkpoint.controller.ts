import { Controller, HttpCode, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { SignedCheckpoint } from '@ledger/integrity';
import { CorrelationId, CurrentPrincipal, Principal, Roles } from '../../platform/http/request-context';
import { ApiProblemResponse } from '../../platform/openapi/api-problem-response.decorator';
import { ProblemException } from '../../platform/problem/problem.exception';
import { NotaryRefusedError } from '../notary.service';
import { CreateCheckpointCommand } from './create-checkpoint.command';
import { responseBody } from '../../platform/openapi/api-response-bodies';

@ApiTags('integrity')
@ApiBearerAuth()
@Controller('integrity/checkpoints')
export class CreateCheckpointController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(201)
  @Roles('auditor')
  @ApiOperation({
    summary: 'Sign a checkpoint of the global log now',
    description:
      'Appends a signed tree head (tree size, RFC 9162 Merkle root, last position, timestamp, stream heads, Ed25519 signature) to the notary stream. 201 with the new checkpoint; 200 with the latest one when the log has not grown since.',
  })
  @ApiCreatedResponse({ description: 'A new checkpoint of the log as it is now', ...responseBody('SignedCheckpoint') })
  @ApiOkResponse({ description: 'The latest checkpoint; the log had not grown', ...responseBody('SignedCheckpoint') })
  @ApiProblemResponse(409, 'The log fails its own hash check (run verify) or holds no ledger event yet')
  async create(
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SignedCheckpoint> {
    try {
      const { checkpoint, created } = await this.commands.execute(new CreateCheckpointCommand(principal.id, correlationId));
      if (!created) reply.status(200);
      return checkpoint;
    } catch (error) {
      if (error instanceof NotaryRefusedError) throw new ProblemException(409, 'notary-refused', error.message);
      throw error;
    }
  }
}
