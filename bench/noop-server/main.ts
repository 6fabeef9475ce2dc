/**
 * The http-claims benchmark's baseline: NestJS on Fastify with the ledger's own HTTP adapter (same JSON-only body
 * parsing, body limit and correlation-id hook), one POST route that does nothing. Prints its URL on stdout. With
 * BENCH_NOOP_DURABLE_FILE, the same route commits each claim's event row first (http-claims' floor; see noop.module.ts).
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpAdapter } from '../../apps/ledger-api/src/platform/http/create-http-adapter';
import { NoopModule } from './noop.module';

const main = async (): Promise<void> => {
  const app = await NestFactory.create<NestFastifyApplication>(NoopModule.fromEnv(), createHttpAdapter({ bodyLimitBytes: 1024 * 1024 }), { logger: false });
  app.enableShutdownHooks();
  await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  if (!address || typeof address !== 'object') throw new Error('no-op server has no address');
  process.stdout.write(`no-op server listening on http://127.0.0.1:${address.port}\n`);
};

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
