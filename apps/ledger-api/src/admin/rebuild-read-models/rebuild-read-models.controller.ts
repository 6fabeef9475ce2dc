import { Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '../../platform/http/request-context';
import { RebuildReadModelsCommand } from './rebuild-read-models.command';
import { responseBody } from '../../platform/openapi/api-response-bodies';

@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/read-models/rebuild')
export class RebuildReadModelsController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary: 'Drop every read model and rebuild it from the event log, then follow the log again',
    description: 'Answers when the rebuild is done. Reads during the rebuild may see partial read models.',
  })
  @ApiOkResponse({ description: 'The projection status after the rebuild (checkpoint = log position reached)', ...responseBody('RebuildStatus') })
  async rebuild(@CurrentPrincipal() principal: Principal) {
    const status = await this.commands.execute(new RebuildReadModelsCommand(principal.id));
    return { ...status, checkpoint: status.checkpoint.toString() };
  }
}
