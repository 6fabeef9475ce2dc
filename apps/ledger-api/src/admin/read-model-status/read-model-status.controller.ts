import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ProjectionHost } from '../../application/projection.host';
import { Roles } from '../../platform/http/request-context';
import { readModelStatusBody } from '../shared/read-model-status';
import { responseBody } from '../../platform/openapi/api-response-bodies';

@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/read-models')
export class ReadModelStatusController {
  constructor(private readonly projections: ProjectionHost) {}

  @Get()
  @Roles('admin')
  @ApiOperation({
    summary: 'State of the read models: checkpoint, last error, failed attempts and the next retry, the last damaged file moved aside',
  })
  @ApiOkResponse({ description: 'The projection status and its supervision', ...responseBody('ReadModelStatus') })
  status() {
    return readModelStatusBody(this.projections);
  }
}
