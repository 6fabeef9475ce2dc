import demoScenario from './karabakh-line-of-contact-2019.scenario.json';

export type ScenarioAction =
  | 'registerParty'
  | 'reportIncident'
  | 'makeClaim'
  | 'denyClaim'
  | 'correctClaim'
  | 'retractClaim'
  | 'gradeSource'
  | 'mergeIncident'
  | 'amendEntry';

export interface ScenarioStep {
  action: ScenarioAction;
  /** Names the id this step creates, for later `@name` references. */
  as?: string;
  incident?: string;
  claim?: string;
  body: Record<string, unknown>;
}

export interface Scenario {
  /** Slug; part of each step's Idempotency-Key. */
  id: string;
  name: string;
  description: string;
  steps: ScenarioStep[];
}

export interface ScenarioRequest {
  method: 'POST';
  url: string;
  body: unknown;
  headers: Record<string, string>;
}

export interface ScenarioResponse {
  status: number;
  body: Record<string, unknown>;
}

export type ScenarioSend = (request: ScenarioRequest) => Promise<ScenarioResponse>;

// Imported rather than read at run time so that the bundled app carries it.
export const DEMO_SCENARIO = demoScenario as Scenario;

const resolveRefs = (value: unknown, refs: Record<string, string>): unknown => {
  if (typeof value === 'string' && value.startsWith('@')) {
    const id = refs[value.slice(1)];
    if (id === undefined) throw new Error(`Scenario reference ${value} is used before the step that defines it`);
    return id;
  }
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, refs));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, refs)]));
  }
  return value;
};

// Stable stand-ins for ids the ledger assigns, so documented examples are valid requests.
const exampleId = (name: string): string => {
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const hex = h.toString(16).padStart(8, '0');
  return `${hex}-0000-4000-8000-${hex}0000`;
};

/** The scenario's request bodies for one action, as OpenAPI examples named after their step. */
export const demoExamples = (
  action: ScenarioAction,
  scenario: Scenario = DEMO_SCENARIO,
): Record<string, { summary: string; value: unknown }> => {
  const refs = new Proxy({} as Record<string, string>, { get: (_, name) => exampleId(String(name)) });
  return Object.fromEntries(
    scenario.steps
      .map((step, i) => ({ step, i }))
      .filter(({ step }) => step.action === action)
      .map(({ step, i }) => {
        const speaker = typeof step.body.partyId === 'string' ? step.body.partyId : (step.as ?? `step ${i}`);
        return [step.as ?? `step-${i}`, { summary: `${scenario.name}: ${speaker}`, value: resolveRefs(step.body, refs) }];
      }),
  );
};

const ref = (name: string | undefined, refs: Record<string, string>, step: number): string => {
  const id = name ? refs[name] : undefined;
  if (!id) throw new Error(`Scenario step ${step}: unknown reference "${name}"`);
  return id;
};

const route = (step: ScenarioStep, refs: Record<string, string>, i: number): { url: string; idField: string } => {
  switch (step.action) {
    case 'registerParty':
      return { url: '/parties', idField: 'partyId' };
    case 'reportIncident':
      return { url: '/incidents', idField: 'incidentId' };
    case 'makeClaim':
      return { url: `/incidents/${ref(step.incident, refs, i)}/claims`, idField: 'claimId' };
    case 'denyClaim':
      return { url: `/incidents/${ref(step.incident, refs, i)}/claims/${ref(step.claim, refs, i)}/denials`, idField: 'denialId' };
    case 'correctClaim':
      return { url: `/incidents/${ref(step.incident, refs, i)}/claims/${ref(step.claim, refs, i)}/corrections`, idField: 'claimId' };
    case 'retractClaim':
      return { url: `/incidents/${ref(step.incident, refs, i)}/claims/${ref(step.claim, refs, i)}/retraction`, idField: 'claimId' };
    case 'gradeSource':
      return { url: `/incidents/${ref(step.incident, refs, i)}/claims/${ref(step.claim, refs, i)}/grades`, idField: 'claimId' };
    case 'mergeIncident':
      return { url: `/incidents/${ref(step.incident, refs, i)}/merge`, idField: 'mergeId' };
    case 'amendEntry':
      return { url: `/incidents/${ref(step.incident, refs, i)}/amendments`, idField: 'amendmentId' };
  }
};

/**
 * Plays a scenario through the HTTP API, so demo data passes the same
 * validation and rules as any recorder's input. Each step carries an
 * Idempotency-Key derived from the scenario and step, so playing it twice
 * writes nothing the second time.
 */
export const runScenario = async (
  scenario: Scenario,
  send: ScenarioSend,
  headers: Record<string, string> = {},
): Promise<Record<string, string>> => {
  const refs: Record<string, string> = {};
  for (const [i, step] of scenario.steps.entries()) {
    const { url, idField } = route(step, refs, i);
    const response = await send({
      method: 'POST',
      url,
      body: resolveRefs(step.body, refs),
      headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': `scenario:${scenario.id}:step-${i}` },
    });
    if (response.status !== 201) {
      throw new Error(`Scenario step ${i} (${step.action}) answered ${response.status}: ${JSON.stringify(response.body)}`);
    }
    const id = response.body[idField];
    if (step.as && typeof id === 'string') refs[step.as] = id;
  }
  return refs;
};
