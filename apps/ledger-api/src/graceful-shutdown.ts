import type { LoggerService } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';

export interface GracefulShutdownOptions {
  /** Ends what never ends by itself (the event streams), while in-flight requests are answered. */
  cutOffStreams: () => Promise<void>;
  /** Runs once the app is closed (stop following the tokens file, ...). */
  afterClose?: () => void;
  /** Past this, the process exits 1 whatever is still running (a long import, a stuck client): LEDGER_SHUTDOWN_TIMEOUT_MS. */
  timeoutMs: number;
  logger: LoggerService;
  exit?: (code: number) => void;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
const SIGNAL_NUMBERS: Record<(typeof SIGNALS)[number], number> = { SIGINT: 2, SIGTERM: 15 };
/** How often sockets that went idle after answering are closed: the keep-alive timeout would hold them 72 s. */
const IDLE_SWEEP_MS = 100;

/**
 * Stops the ledger in the order that loses nothing: the listening socket closes first (new connections are refused,
 * new requests on open ones answered 503 by Fastify), event streams get their `shutdown` cut-off, in-flight requests
 * (commands waiting for their commit and read models) are answered, then Nest's hooks stop the notary and the
 * projections and close the store. A second signal exits at once.
 */
export const installGracefulShutdown = (app: NestFastifyApplication, options: GracefulShutdownOptions): void => {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const { timeoutMs } = options;
  let stopping = false;

  const onSignal = (signal: (typeof SIGNALS)[number]): void => {
    if (stopping) {
      options.logger.warn?.(`${signal} again: exiting now, without waiting for in-flight requests`, 'Shutdown');
      return exit(128 + SIGNAL_NUMBERS[signal]);
    }
    stopping = true;
    options.logger.log(`${signal}: no new connections; answering in-flight requests, then closing the store (${signal} again exits at once)`, 'Shutdown');
    const deadline = setTimeout(() => {
      options.logger.error(`Shutdown did not finish within ${timeoutMs} ms: exiting`, undefined, 'Shutdown');
      exit(1);
    }, timeoutMs);
    deadline.unref();
    shutdown(app, options).then(
      () => {
        clearTimeout(deadline);
        options.logger.log('Stopped', 'Shutdown');
        exit(0);
      },
      (error: unknown) => {
        options.logger.error(`Shutdown failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`, undefined, 'Shutdown');
        exit(1);
      },
    );
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
};

const shutdown = async (app: NestFastifyApplication, options: GracefulShutdownOptions): Promise<void> => {
  const server = app.getHttpServer() as Server;
  const drained = app.getHttpAdapter().getInstance().close();
  const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
  try {
    await options.cutOffStreams();
    await drained;
  } finally {
    clearInterval(sweep);
  }
  await app.close();
  options.afterClose?.();
};
