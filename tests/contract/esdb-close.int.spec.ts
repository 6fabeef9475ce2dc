import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { EsdbEventStore } from '@ledger/event-store';

/*
 * close() must end even after a read that stopped before the end of what the server sent. Against a server in another
 * process, which has answered and finished the call by the time the read stops (a real node does this for any small
 * page), the client's dispose() used to wait forever for the abandoned gRPC stream. The in-process double answers
 * with back-pressure, so only a double in a process of its own shows it.
 */
jest.setTimeout(60_000);

const ROOT = join(__dirname, '..', '..');
let server: ChildProcess;
let connectionString: string;

beforeAll(async () => {
  server = spawn(process.execPath, ['-r', './scripts/swc-register.js', 'tests/esdb-double/serve-double.worker.ts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  connectionString = await new Promise<string>((resolve, reject) => {
    server.stdout!.on('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    server.on('exit', (code) => reject(new Error(`the double's process exited with ${code}`)));
  });
});
afterAll(() => {
  server?.kill();
});

it('close() returns after a readAll that stopped at maxCount', async () => {
  const store = new EsdbEventStore({ connectionString });
  const stream = `incident-${randomUUID()}`;
  await store.append(stream, Array.from({ length: 5 }, (_, i) => ({
    eventId: randomUUID(),
    type: 'ClaimMade.v1',
    data: { n: i },
    metadata: { recordedAt: new Date().toISOString(), recordedBy: 'test', correlationId: randomUUID(), causationId: randomUUID() },
  })));
  // Several reads: each leaves a stream behind if the server finished the call before the read stopped.
  for (let i = 0; i < 5; i++) expect(await store.readAll({ maxCount: 1 })).toHaveLength(1);
  const closed = await Promise.race([store.close().then(() => 'closed'), new Promise((resolve) => setTimeout(() => resolve('still closing after 10 s'), 10_000))]);
  expect(closed).toBe('closed');
});
