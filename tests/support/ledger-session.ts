import type { InjectOptions, Response } from 'light-my-request';
import { EVENT_STORE, EventStore } from '@ledger/event-store';
import { DEMO_SCENARIO, runScenario } from '../../apps/ledger-api/src/demo/scenario';
import { LedgerTestApp, TestRole } from './ledger-test-app';

type Headers = Record<string, string>;

/** The demo scenario's ids, by the names its steps give them (`incident`, `az-mod-claim`, ...). */
export type DemoRefs = Record<string, string>;

/** The seed article's parties, all registered by the demo scenario. */
export const DEMO = {
  azDefence: 'azerbaijan-defence-ministry',
  azForeign: 'azerbaijan-foreign-ministry',
  kda: 'karabakh-defense-army',
  armForeign: 'armenia-foreign-ministry',
  osce: 'osce-minsk-group-co-chairs',
  armenia: 'armenia',
  azerbaijan: 'azerbaijan',
} as const;

const SOURCE = {
  title: 'Report on Armenian-Azerbaijani accusations over ceasefire violations',
  publisher: 'News report of 2019-06-03 (seed article)',
  publishedAt: '2019-06-03',
};

/**
 * Valid request bodies in the words of the seed article. Each test breaks one
 * thing in one of them, so that the refusal can only be about that thing.
 */
export const valid = {
  party: (partyId: string) => ({ partyId, name: `Party ${partyId}`, kind: 'armed-group', aliases: [] as string[] }),
  incident: (title = 'Shelling near the line of contact') => ({
    title,
    summary: 'Each side says the other opened fire first.',
    occurred: { from: '2019-05-30', to: '2019-06-01', precision: 'day' },
    location: { name: 'Line of contact, Nagorno-Karabakh conflict zone', precision: 'region' },
    category: { eventType: 'battles', subEventType: 'armed-clash', tags: ['ceasefire-violation'] },
  }),
  claim: (partyId: string = DEMO.azDefence, text = 'One of our servicemen was killed by enemy fire near Karabakh.') => ({
    partyId,
    statement: { text, verbatim: false, language: 'en' },
    statedAt: { at: '2019-05-30', precision: 'day' },
    source: SOURCE,
    assertions: {
      responsibleParties: [DEMO.kda],
      ceasefire: { violated: true, by: [DEMO.kda] },
      casualties: [{ side: DEMO.azDefence, killed: { best: 1 } }],
    },
  }),
  denial: (partyId: string = DEMO.kda) => ({
    partyId,
    statement: { text: 'did not breach the ceasefire at any section of "the line of contact"', verbatim: true, language: 'en' },
    deniedAssertions: ['ceasefire'],
    statedAt: { at: '2019-06-01', precision: 'day' },
    source: SOURCE,
  }),
  correction: (partyId: string = DEMO.azDefence, text = 'One of our officers was killed by enemy fire near Karabakh.') => ({
    partyId,
    reason: 'The ministry identified the victim as an officer.',
    statement: { text, verbatim: false, language: 'en' },
    statedAt: { at: '2019-05-31', precision: 'day' },
    source: SOURCE,
  }),
  retraction: (partyId: string = DEMO.azDefence) => ({
    partyId,
    reason: 'The ministry withdrew the report.',
    statedAt: { at: '2019-06-02', precision: 'day' },
    source: SOURCE,
  }),
  grade: (reliability = 'B', credibility = 2, reason?: string) => ({ reliability, credibility, ...(reason !== undefined ? { reason } : {}) }),
  amendment: (claimId: string, text = 'One of our servicemen was killed by enemy fire near Karabakh (sic).') => ({
    entry: { kind: 'claim', claimId, version: 1 },
    changes: { statement: { text, verbatim: false, language: 'en' } },
    reason: 'Transcription error in the quoted words.',
  }),
};

/** A ledger started by startLedger(), spoken to through inject as one of its roles. */
export class LedgerSession {
  readonly store: EventStore;

  constructor(readonly t: LedgerTestApp) {
    this.store = t.app.get<EventStore>(EVENT_STORE);
  }

  bearer(role: TestRole): Headers {
    return { authorization: `Bearer ${this.t.tokens[role]}` };
  }

  send(options: InjectOptions): Promise<Response> {
    return this.t.app.inject(options);
  }

  post(url: string, payload?: unknown, headers: Headers = {}, role: TestRole = 'recorder'): Promise<Response> {
    return this.send({
      method: 'POST',
      url,
      ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }),
      headers: { ...this.bearer(role), ...headers },
    });
  }

  /** POST a raw string as the body, with the given Content-Type (none when undefined). */
  postRaw(url: string, payload: string | Buffer, contentType: string | undefined, headers: Headers = {}): Promise<Response> {
    return this.send({
      method: 'POST',
      url,
      payload,
      headers: { ...this.bearer('recorder'), ...(contentType === undefined ? {} : { 'content-type': contentType }), ...headers },
    });
  }

  get(url: string, role: TestRole = 'reader', headers: Headers = {}): Promise<Response> {
    return this.send({ method: 'GET', url, headers: { ...this.bearer(role), ...headers } });
  }

  head(): Promise<bigint> {
    return this.store.headPosition();
  }

  /**
   * Runs `request` and asserts that the global log did not move: no event
   * was appended to any stream, whatever the response said.
   */
  async unchanged(request: () => Promise<Response>): Promise<Response> {
    const before = await this.head();
    const res = await request();
    // Naming what was written makes a failure say which command leaked an event.
    const written = (await this.store.readAll({ fromPosition: before })).map((e) => `${e.streamName} ${e.type}`);
    expect({ status: res.statusCode, written }).toEqual({ status: res.statusCode, written: [] });
    expect(await this.head()).toBe(before);
    return res;
  }

  /** Plays the seed article through the API (as the recorder) and returns its ids. */
  playDemo(): Promise<DemoRefs> {
    return runScenario(DEMO_SCENARIO, async ({ method, url, body, headers }) => {
      const res = await this.send({ method, url, payload: body as InjectOptions['payload'], headers: { ...headers, ...this.bearer('recorder') } });
      return { status: res.statusCode, body: res.json() };
    });
  }

  /** Creates a fresh incident with one claim by `partyId`, so a test can change it without touching shared state. */
  async incidentWithClaim(partyId: string = DEMO.azDefence): Promise<{ incidentId: string; claimId: string; claimUrl: string }> {
    const incident = await this.post('/incidents', valid.incident());
    expect(incident.statusCode).toBe(201);
    const incidentId = incident.json().incidentId as string;
    const claim = await this.post(`/incidents/${incidentId}/claims`, valid.claim(partyId));
    expect(claim.statusCode).toBe(201);
    const claimId = claim.json().claimId as string;
    return { incidentId, claimId, claimUrl: `/incidents/${incidentId}/claims/${claimId}` };
  }
}
