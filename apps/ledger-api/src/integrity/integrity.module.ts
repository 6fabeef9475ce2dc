import { Module } from '@nestjs/common';
import { CreateCheckpointController } from './create-checkpoint/create-checkpoint.controller';
import { ExportEventsController } from './export-events/export-events.controller';
import { GetAccessLogController } from './get-access-log/get-access-log.controller';
import { GetConsistencyProofController } from './get-consistency-proof/get-consistency-proof.controller';
import { GetInclusionProofController } from './get-inclusion-proof/get-inclusion-proof.controller';
import { GetSigningKeysController } from './get-signing-keys/get-signing-keys.controller';
import { ListCheckpointsController } from './list-checkpoints/list-checkpoints.controller';
import { VerifyLedgerController } from './verify-ledger/verify-ledger.controller';
import { CreateCheckpointHandler } from './create-checkpoint/create-checkpoint.handler';
import { NotaryService } from './notary.service';

@Module({
  controllers: [
    CreateCheckpointController,
    ExportEventsController,
    GetAccessLogController,
    GetConsistencyProofController,
    GetInclusionProofController,
    GetSigningKeysController,
    ListCheckpointsController,
    VerifyLedgerController,
  ],
  providers: [
    CreateCheckpointHandler,
    NotaryService,
  ],
  // /health reports how far the notary has followed the log, and whether it took up its kept tree.
  exports: [NotaryService],
})
export class IntegrityModule {}
