import { randomUUID } from 'node:crypto';
import { Body, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { GroupCommit } from './group-commit';

/** The claim route of http-claims' floor: the body parsed as JSON, the claim's event row committed, then a 201. */
@Controller('incidents')
export class DurableClaimsController {
  constructor(@Inject(GroupCommit) private readonly store: GroupCommit) {}

  @Post(':incidentId/claims')
  @HttpCode(201)
  async make(@Param('incidentId') incidentId: string, @Body() body: Record<string, unknown>): Promise<{ incidentId: string; claimId: string; fields: number }> {
    await this.store.append(`incident-${incidentId}`);
    return { incidentId, claimId: randomUUID(), fields: Object.keys(body).length };
  }
}
