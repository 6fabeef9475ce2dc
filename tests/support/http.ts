import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ScenarioSend } from '../../apps/ledger-api/src/demo/scenario';

/** GET as a given bearer token, returning the parsed body and the raw response. */
export const getAs = async (app: NestFastifyApplication, token: string, url: string) => {
  const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
  return { status: res.statusCode, headers: res.headers, body: res.json() };
};

/** A ScenarioSend over in-process inject, as a given bearer token. */
export const injectSend =
  (app: NestFastifyApplication, token: string): ScenarioSend =>
  async ({ method, url, body, headers }) => {
    const res = await app.inject({ method, url, payload: body as object, headers: { ...headers, authorization: `Bearer ${token}` } });
    return { status: res.statusCode, body: res.json() };
  };
