import { connect, Socket } from 'node:net';
import type { Server } from 'node:http';
import { LedgerSession, valid } from '../support/ledger-session';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';

jest.setTimeout(30_000);

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Writes raw bytes on a fresh TCP connection and collects everything the server sends until it closes. */
const exchange = (port: number, chunks: Array<string | Buffer>, options: { endAfterWrite?: boolean } = {}): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (d) => (received += d.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
      if (options.endAfterWrite) socket.end();
    });
    setTimeout(() => socket.destroy(), 10_000).unref();
  });

/** The responses in what a socket received, in order (bodies by Content-Length). */
const responses = (raw: string): RawResponse[] => {
  const out: RawResponse[] = [];
  let rest = raw;
  while (rest.startsWith('HTTP/1.1 ')) {
    const end = rest.indexOf('\r\n\r\n');
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
    const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    const length = Number(headers['content-length'] ?? 0);
    out.push({ status: Number(statusLine.split(' ')[1]), headers, body: rest.slice(end + 4, end + 4 + length) });
    rest = rest.slice(end + 4 + length);
  }
  return out;
};

const expectProblemResponse = (res: RawResponse | undefined, status: number, code: string): void => {
  expect({ status: res?.status, type: res?.headers['content-type'], body: res?.body.slice(0, 300) }).toMatchObject({ status, type: 'application/problem+json' });
  expect(JSON.parse(res!.body)).toMatchObject({ status, code, type: `https://incident-ledger.dev/problems/${code}` });
};

/**
 * What Node's HTTP parser refuses before Fastify sees a request (issue 11 item 6): Fastify answered these with its
 * own JSON. Over a real socket, since inject bypasses the parser.
 */
describe('connection-level problems (e2e, real socket)', () => {
  let t: LedgerTestApp;
  let s: LedgerSession;
  let port: number;
  let server: Server;

  beforeAll(async () => {
    t = await startLedger();
    s = new LedgerSession(t);
    await t.app.listen(0, '127.0.0.1');
    server = t.app.getHttpServer() as Server;
    port = (server.address() as { port: number }).port;
  }, 30_000);

  afterAll(() => t?.close());

  const post = (body: string, contentLength: number): string =>
    'POST /parties HTTP/1.1\r\nHost: ledger\r\n' +
    `Authorization: Bearer ${t.tokens.recorder}\r\nContent-Type: application/json\r\nContent-Length: ${contentLength}\r\n\r\n${body}`;

  it('headers larger than the server takes: 431 problem', async () => {
    const raw = await exchange(port, [`GET /health HTTP/1.1\r\nHost: ledger\r\nX-Junk: ${'x'.repeat(64 * 1024)}\r\n\r\n`]);
    expectProblemResponse(responses(raw)[0], 431, 'request-header-fields-too-large');
  });

  it('a body longer than its Content-Length: the rest is no request, a 400 problem, nothing written', async () => {
    const body = JSON.stringify(valid.party('lying-length'));
    const before = await s.head();
    const raw = await exchange(port, [post(`${body}GARBAGE-AFTER-THE-BODY\r\n\r\n`, body.length)]);
    const answers = responses(raw);
    // The declared body is a complete request (201); what follows is refused as a problem.
    expect(answers.map((r) => r.status)).toEqual([201, 400]);
    expectProblemResponse(answers[1], 400, 'malformed-request');
    expect((await s.head()) - before).toBe(1n);
  });

  /**
   * The server waits for the rest of the body until the request timeout (LEDGER request timeouts); Node then emits
   * clientError ERR_HTTP_REQUEST_TIMEOUT, done here by hand because Node checks only every 30 s.
   */
  const timedOut = async (bytes: string): Promise<RawResponse[]> => {
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
    const client = connect(port, '127.0.0.1');
    let received = '';
    client.on('data', (d) => (received += d.toString('utf8')));
    const closed = new Promise((resolve) => client.on('close', resolve));
    const serverSide = await accepted;
    client.write(bytes);
    // Until the server has read what was sent, there is nothing to time out.
    await new Promise((resolve) => setTimeout(resolve, 100));
    server.emit('clientError', Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), serverSide);
    await closed;
    return responses(received);
  };

  it('a body shorter than its Content-Length: 408 problem when the request times out, nothing written', async () => {
    const body = JSON.stringify(valid.party('short-length'));
    const before = await s.head();
    const [res, ...more] = await timedOut(post(body, body.length + 100));
    expectProblemResponse(res, 408, 'request-timeout');
    expect(more).toEqual([]);
    expect(await s.head()).toBe(before);
  });

  it('headers that never end: 408 problem when the request times out', async () => {
    const [res] = await timedOut('GET /health HTTP/1.1\r\nHost: led');
    expectProblemResponse(res, 408, 'request-timeout');
  });
});
