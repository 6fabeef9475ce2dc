import { Command } from '@nestjs/cqrs';
import type { CheckpointOutcome } from '../notary.service';

export class CreateCheckpointCommand extends Command<CheckpointOutcome> {
  constructor(
    readonly requestedBy: string,
    readonly correlationId: string,
  ) {
    super();
  }
}
