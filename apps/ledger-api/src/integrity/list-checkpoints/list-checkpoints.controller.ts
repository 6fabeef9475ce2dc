import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SignedCheckpoint } from '@ledger/integrity';
import { AuditedRead } from '../../audit/shared/audited-read.decorator';
import { Roles } from '../../platform/http/request-context';
import { NotaryService } from '../notary.service';
import { responseBody } from '../../platform/openapi/api-response-bodies';

@ApiTags('integrity')
@ApiBearerAuth()
@Controller('integrity/checkpoints')
export class ListCheckpointsController {
  constructor(private readonly notary: NotaryService) {}

  @Get()
  @Roles('auditor')
  @AuditedRead('list-checkpoints')
  @ApiOperation({ summary: 'Every signed checkpoint, oldest first' })
  @ApiOkResponse({ description: '{ items: SignedCheckpoint[] }', ...responseBody('CheckpointList') })
  async list(): Promise<{ items: SignedCheckpoint[] }> {
    return { items: await this.notary.listCheckpoints() };
  }
}
