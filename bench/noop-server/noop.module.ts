import { DynamicModule, Module } from '@nestjs/common';
import { DurableClaimsController } from './durable-claims.controller';
import { GroupCommit } from './group-commit';
import { NoopClaimsController } from './noop-claims.controller';

@Module({})
export class NoopModule {
  /**
   * BENCH_NOOP_DURABLE_FILE (an SQLite file) and BENCH_NOOP_DURABLE_ROW (the event row as JSON): http-claims' floor,
   * each claim's event row committed before its 201. Without them: the no-op.
   */
  static fromEnv(): DynamicModule {
    const file = process.env.BENCH_NOOP_DURABLE_FILE;
    if (!file) return { module: NoopModule, controllers: [NoopClaimsController] };
    const row = JSON.parse(process.env.BENCH_NOOP_DURABLE_ROW ?? 'null') as ConstructorParameters<typeof GroupCommit>[1] | null;
    if (!row) throw new Error('BENCH_NOOP_DURABLE_ROW must be the event row as JSON');
    return { module: NoopModule, controllers: [DurableClaimsController], providers: [{ provide: GroupCommit, useValue: new GroupCommit(file, row) }] };
  }
}
