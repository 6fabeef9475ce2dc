import { Command } from '@nestjs/cqrs';
import { GradeSource } from '@ledger/domain';
import { CommandContext } from '../../application/command-context';
import { StreamCommandResult } from '../../application/stream-command.executor';

/** What the recorder asks; who graded and when are the request's principal and the server clock, added by the handler. */
export type GradeSourceRequest = Omit<GradeSource['data'], 'gradedBy' | 'gradedAt'>;

/** The command's result and the claim version the grade was given to. */
export interface GradeSourceResult extends StreamCommandResult {
  claimVersion: number;
}

export class GradeSourceCommand extends Command<GradeSourceResult> {
  constructor(
    readonly data: GradeSourceRequest,
    readonly ctx: CommandContext,
  ) {
    super();
  }
}
