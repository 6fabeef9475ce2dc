import { ConsoleLogger, LogLevel } from '@nestjs/common';

/** Nest's own start-up narration: a line per module, controller and route (about 80 at a normal start). */
const FRAMEWORK_WIRING = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/**
 * Nest's console logger, with the framework's wiring lines moved to debug: at
 * the default level a start prints what an operator acts on (where the API
 * listens, which store, the data directory, the docs), not every route.
 */
export class OperatorLogger extends ConsoleLogger {
  protected override printMessages(messages: unknown[], context?: string, logLevel?: LogLevel, writeStreamType?: 'stdout' | 'stderr', errorStack?: unknown): void {
    if (logLevel === 'log' && context !== undefined && FRAMEWORK_WIRING.has(context)) {
      if (!this.isLevelEnabled('debug')) return;
      logLevel = 'debug';
    }
    super.printMessages(messages, context, logLevel, writeStreamType, errorStack);
  }
}
