import { randomUUID } from 'node:crypto';
import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';

/** The ledger's claim route with nothing behind it: the body is parsed as JSON and a 201 goes back. */
@Controller('incidents')
export class NoopClaimsController {
  @Post(':incidentId/claims')
  @HttpCode(201)
  make(@Param('incidentId') incidentId: string, @Body() body: Record<string, unknown>): { incidentId: string; claimId: string; fields: number } {
    return { incidentId, claimId: randomUUID(), fields: Object.keys(body).length };
  }
}
