import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CheckpointOutcome, NotaryService } from '../notary.service';
import { CreateCheckpointCommand } from './create-checkpoint.command';

/** The notary signs the log's current tree head and appends it to its own stream (or returns the latest one, unchanged log). */
@CommandHandler(CreateCheckpointCommand)
export class CreateCheckpointHandler implements ICommandHandler<CreateCheckpointCommand, CheckpointOutcome> {
  constructor(private readonly notary: NotaryService) {}

  execute({ requestedBy, correlationId }: CreateCheckpointCommand): Promise<CheckpointOutcome> {
    return this.notary.checkpoint(requestedBy, correlationId);
  }
}
