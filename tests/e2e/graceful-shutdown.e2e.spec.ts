import { ClientRequest, IncomingMessage, request } from 'node:http';
import { readLog } from '../support/data-dir';
import { claimBody, seedIncident } from '../support/ledger-bodies';
import { SpawnedLedger, spawnLedger } from '../support/spawned-ledger';
import { spawnedSuite } from '../support/spawned-suite';

/**
 * SIGTERM/SIGINT on the built API: no new connections, in-flight commands answered 201 and kept, event streams
 * sent their `shutdown` cut-off, the store closed; a second signal exits at once.
 */

const newDir = spawnedSuite('ledger-shutdown-');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A POST whose body arrives in two halves: between them the request is in flight on the server (routed,
 * authenticated, its body being read), which is exactly where a signal must not lose it.
 */
const halfSentPost = (ledger: SpawnedLedger, path: string, body: unknown) => {
  const payload = Buffer.from(JSON.stringify(body));
  const half = Math.floor(payload.length / 2);
  let req!: ClientRequest;
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req = request(`${ledger.baseUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ledger.tokens.recorder}`, 'content-type': 'application/json', 'content-length': String(payload.length) },
    });
    req.on('response', (res: IncomingMessage) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.write(payload.subarray(0, half));
  });
  return { response, finish: () => req.end(payload.subarray(half)) };
};

/** An SSE client on /feed/stream that keeps everything it receives. */
const openStream = (ledger: SpawnedLedger) => {
  let text = '';
  const ended = new Promise<void>((resolve, reject) => {
    const req = request(`${ledger.baseUrl}/feed/stream`, { headers: { authorization: `Bearer ${ledger.tokens.integrator}`, accept: 'text/event-stream' } });
    req.on('response', (res) => {
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', resolve);
      res.on('error', resolve);
    });
    req.on('error', reject);
    req.end();
  });
  return { received: () => text, ended };
};

const until = async (condition: () => boolean, what: string, timeoutMs = 5_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
};

describe('graceful shutdown', () => {
  it('on SIGTERM answers in-flight commands (201, in the log after restart), cuts event streams off and exits 0', async () => {
    const dataDir = newDir();
    const ledger = await spawnLedger({ dataDir });
    const incidentId = await seedIncident(ledger);
    const stream = openStream(ledger);
    await until(() => stream.received().includes('IncidentReported'), 'the stream to deliver the incident');

    const inFlight = Array.from({ length: 4 }, (_, i) => halfSentPost(ledger, `/incidents/${incidentId}/claims`, claimBody(i)));
    await sleep(300);
    ledger.child.kill('SIGTERM');
    await until(() => ledger.output().includes('SIGTERM: no new connections'), 'the shutdown to begin');

    // New connections are refused from now on.
    await expect(fetch(`${ledger.baseUrl}/health`)).rejects.toThrow();

    for (const post of inFlight) post.finish();
    const answers = await Promise.all(inFlight.map((p) => p.response));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201]);
    await stream.ended;
    expect(stream.received()).toMatch(/event: cut-off\ndata: \{"reason":"shutdown","resumeFrom":"\d+"\}/);
    expect(await ledger.exited).toEqual({ code: 0, signal: null });

    const claimIds = answers.map((a) => (JSON.parse(a.body) as { claimId: string }).claimId);
    const logged = new Set((await readLog(dataDir)).map((e) => (e.data as { claimId?: string }).claimId));
    expect(claimIds.filter((id) => !logged.has(id))).toEqual([]);

    const restarted = await spawnLedger({ dataDir, tokens: ledger.tokens });
    await restarted.waitUntilCaughtUp();
    for (const claimId of claimIds) {
      expect((await restarted.request('GET', `/incidents/${incidentId}/claims/${claimId}`, { role: 'reader' })).status).toBe(200);
    }
    await restarted.stop();
  }, 120_000);

  it('exits at once on a second signal, without waiting for what is in flight', async () => {
    const ledger = await spawnLedger({ dataDir: newDir() });
    const incidentId = await seedIncident(ledger);
    const stuck = halfSentPost(ledger, `/incidents/${incidentId}/claims`, claimBody(0));
    stuck.response.catch(() => undefined);
    await sleep(300);

    ledger.child.kill('SIGINT');
    await until(() => ledger.output().includes('SIGINT: no new connections'), 'the shutdown to begin');
    await sleep(500);
    expect(ledger.child.exitCode).toBeNull();

    const second = Date.now();
    ledger.child.kill('SIGINT');
    expect(await ledger.exited).toEqual({ code: 130, signal: null });
    expect(Date.now() - second).toBeLessThan(1_000);
    expect(ledger.output()).toContain('SIGINT again: exiting now');
  }, 60_000);

  it('gives up after LEDGER_SHUTDOWN_TIMEOUT_MS when a request never finishes, and exits 1', async () => {
    const ledger = await spawnLedger({ dataDir: newDir(), env: { LEDGER_SHUTDOWN_TIMEOUT_MS: '1500' } });
    const incidentId = await seedIncident(ledger);
    // Half a body that never comes: the drain would otherwise wait for it until the request timeout (5 min).
    const stuck = halfSentPost(ledger, `/incidents/${incidentId}/claims`, claimBody(0));
    stuck.response.catch(() => undefined);
    await sleep(300);

    const signalled = Date.now();
    ledger.child.kill('SIGTERM');
    expect(await ledger.exited).toEqual({ code: 1, signal: null });
    const took = Date.now() - signalled;
    expect(took).toBeGreaterThanOrEqual(1_400);
    expect(took).toBeLessThan(10_000);
    expect(ledger.output()).toContain('Shutdown did not finish within 1500 ms');
  }, 60_000);
});
