import { Module } from '@nestjs/common';
import { CorrectClaimController } from './correct-claim/correct-claim.controller';
import { DenyClaimController } from './deny-claim/deny-claim.controller';
import { GradeSourceController } from './grade-source/grade-source.controller';
import { GradeSourceHandler } from './grade-source/grade-source.handler';
import { GetClaimHistoryController } from './get-claim-history/get-claim-history.controller';
import { MakeClaimController } from './make-claim/make-claim.controller';
import { RetractClaimController } from './retract-claim/retract-claim.controller';
import { CorrectClaimHandler } from './correct-claim/correct-claim.handler';
import { DenyClaimHandler } from './deny-claim/deny-claim.handler';
import { MakeClaimHandler } from './make-claim/make-claim.handler';
import { RetractClaimHandler } from './retract-claim/retract-claim.handler';

@Module({
  controllers: [
    CorrectClaimController,
    DenyClaimController,
    GetClaimHistoryController,
    GradeSourceController,
    MakeClaimController,
    RetractClaimController,
  ],
  providers: [
    CorrectClaimHandler,
    DenyClaimHandler,
    GradeSourceHandler,
    MakeClaimHandler,
    RetractClaimHandler,
  ],
})
export class ClaimsModule {}
