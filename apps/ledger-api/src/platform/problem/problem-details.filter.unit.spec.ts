import { type ArgumentsHost, Logger, NotFoundException } from '@nestjs/common';
import { ProblemDetailsFilter } from './problem-details.filter';

const hostFor = (request: unknown, response: unknown, type = 'http'): ArgumentsHost =>
  ({
    getType: () => type,
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
  }) as unknown as ArgumentsHost;

describe('ProblemDetailsFilter', () => {
  const filter = new ProblemDetailsFilter();
  beforeAll(() => {
    jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterAll(() => jest.restoreAllMocks());

  it('writes to a raw Node response (exceptions thrown in middleware)', () => {
    const headers: Record<string, string> = {};
    let ended: Buffer | undefined;
    const raw = {
      headersSent: false,
      statusCode: 200,
      setHeader: (name: string, value: string) => (headers[name] = value),
      end: (payload: Buffer) => (ended = payload),
    };
    filter.catch(new NotFoundException('gone'), hostFor({ url: '/a?b=1', headers: {}, correlationId: 'r-1' }, raw));

    expect(raw.statusCode).toBe(404);
    expect(headers).toEqual({ 'content-type': 'application/problem+json', 'x-correlation-id': 'r-1' });
    expect(JSON.parse(ended!.toString('utf8'))).toMatchObject({ status: 404, instance: '/a', detail: 'gone', correlationId: 'r-1' });
  });

  it('leaves a response that is already on its way alone', () => {
    const reply = { raw: {}, sent: true, code: jest.fn() };
    filter.catch(new Error('late'), hostFor({ url: '/x', headers: {} }, reply));
    expect(reply.code).not.toHaveBeenCalled();
  });

  it('rethrows outside HTTP, where there is no response to write', () => {
    const error = new Error('rpc');
    expect(() => filter.catch(error, hostFor(undefined, undefined, 'rpc'))).toThrow(error);
  });
});
