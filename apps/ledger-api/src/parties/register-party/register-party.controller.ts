import { Body, Controller, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { PartyRegisteredData } from '@ledger/domain';
import { demoExamples } from '../../demo/scenario';
import { toPlain } from '../../platform/http/dto/plain';
import { CommandContext } from '../../application/command-context';
import { created, CreatedBody } from '../../platform/http/command-http';
import { WriteContext, WriteEndpoint } from '../../platform/http/write-endpoint.decorator';
import { RegisterPartyCommand } from './register-party.command';
import { RegisterPartyDto } from './register-party.dto';

@ApiTags('parties')
@Controller('parties')
export class RegisterPartyController {
  constructor(private readonly commands: CommandBus) {}

  @WriteEndpoint({
    body: { type: RegisterPartyDto, examples: demoExamples('registerParty') },
    summary: 'Register a party (state, ministry, armed force, armed group, mediator, media, NGO, individual)',
    created: 'Registered; Location names the party',
    conflict: 'A party with this id is already registered',
    rules: 'Unknown affiliated party, reserved id',
  })
  async register(
    @Body() body: RegisterPartyDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @WriteContext() ctx: CommandContext,
  ): Promise<CreatedBody> {
    const data = toPlain<PartyRegisteredData>({ aliases: [], ...body });
    const result = await this.commands.execute(new RegisterPartyCommand(data, ctx));
    return created(reply, `/parties/${data.partyId}`, result, { partyId: data.partyId });
  }
}
