// Request bodies and events taken from the demo scenario, so every benchmark sends what a recorder really sends.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { storedTypeOf } from '@ledger/domain';
import type { NewEvent } from '@ledger/event-store';

const SCENARIO_FILE = join(__dirname, '../../apps/ledger-api/src/demo/karabakh-line-of-contact-2019.scenario.json');

interface Step {
  action: string;
  body: Record<string, unknown>;
}

let cached: Step[] | undefined;
const steps = (): Step[] => (cached ??= (JSON.parse(readFileSync(SCENARIO_FILE, 'utf8')) as { steps: Step[] }).steps);

const firstBodyOf = (action: string): Record<string, unknown> => {
  const step = steps().find((s) => s.action === action);
  if (!step) throw new Error(`the demo scenario has no ${action} step`);
  return step.body;
};

/** The demo's first claim (the Azerbaijani defence ministry's): the body of POST /incidents/{id}/claims. */
export const demoClaimBody = (): Record<string, unknown> => firstBodyOf('makeClaim');

/** The demo's incident: the body of POST /incidents. */
export const demoIncidentBody = (): Record<string, unknown> => firstBodyOf('reportIncident');

/** The demo's parties, in the order they are registered: bodies of POST /parties. */
export const demoPartyBodies = (): Record<string, unknown>[] => steps().filter((s) => s.action === 'registerParty').map((s) => s.body);

/** A ClaimMade event carrying the demo's first claim, as the write side would append it. */
export const demoClaimEvent = (incidentId: string, claimId: string = randomUUID()): NewEvent => {
  const recordedAt = new Date().toISOString();
  const correlationId = randomUUID();
  return {
    eventId: randomUUID(),
    type: storedTypeOf('ClaimMade'),
    data: { ...demoClaimBody(), incidentId, claimId, answers: [], supersedes: [] },
    metadata: { recordedAt, recordedBy: 'recorder:bench', correlationId, causationId: correlationId },
  };
};
