import { Body, Controller, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PartyRegisteredData } from '@ledger/domain';
import { toPlain } from '../../ledger/dto/plain';
import { commandContext, created, CreatedBody } from '../../ledger/http/command-http';
import { CorrelationId, CurrentPrincipal, Principal, ProblemDto, Roles } from '../../ledger/http/request-context';
import { RegisterPartyCommand } from './register-party.command';
import { RegisterPartyDto } from './register-party.dto';

@ApiTags('parties')
@ApiBearerAuth()
@Controller('parties')
export class RegisterPartyController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Roles('recorder')
  @ApiOperation({ summary: 'Register a party (state, ministry, armed force, armed group, mediator, media, NGO, individual)' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Retrying with the same key returns the first result and writes nothing' })
  @ApiCreatedResponse({ description: 'Registered; Location names the party, ETag its stream revision' })
  @ApiResponse({ status: 400, type: ProblemDto })
  @ApiResponse({ status: 409, type: ProblemDto, description: 'A party with this id is already registered' })
  @ApiResponse({ status: 422, type: ProblemDto })
  async register(
    @Body() body: RegisterPartyDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<CreatedBody> {
    const data = toPlain<PartyRegisteredData>({ aliases: [], ...body });
    const result = await this.commands.execute(new RegisterPartyCommand(data, commandContext(req, principal.id, correlationId)));
    return created(reply, `/parties/${data.partyId}`, result, { partyId: data.partyId });
  }
}
