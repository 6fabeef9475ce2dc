import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { SourceGraded, incidentDecider, incidentStream } from '@ledger/domain';
import { Clock } from '../../application/clock';
import { StreamCommandExecutor } from '../../application/stream-command.executor';
import { GradeSourceCommand, GradeSourceResult } from './grade-source.command';

@CommandHandler(GradeSourceCommand)
export class GradeSourceHandler implements ICommandHandler<GradeSourceCommand, GradeSourceResult> {
  constructor(
    private readonly executor: StreamCommandExecutor,
    private readonly clock: Clock,
  ) {}

  async execute({ data, ctx }: GradeSourceCommand): Promise<GradeSourceResult> {
    // The grader and the time are facts of the grade itself (its data, hashed with it), not only of its envelope.
    const command = { type: 'GradeSource' as const, data: { ...data, gradedBy: ctx.principal, gradedAt: this.clock.now().toISOString() } };
    const result = await this.executor.execute(incidentStream(data.incidentId), incidentDecider, command, ctx);
    const graded = result.events.find((e): e is SourceGraded => e.type === 'SourceGraded');
    // A replayed request answers from the stored events, which hold the SourceGraded; anything else is a bug.
    if (!graded) throw new Error(`GradeSource of claim ${data.claimId} recorded no SourceGraded event`);
    return { ...result, claimVersion: graded.data.claimVersion };
  }
}
