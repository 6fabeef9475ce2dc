import { Scenario } from '../../apps/ledger-api/src/demo/scenario';

const ref = (value: unknown): string | undefined => (typeof value === 'string' && value.startsWith('@') ? value.slice(1) : undefined);

/**
 * A scenario as NDJSON import lines: each step's `as` name (else `step-<i>`) is its key, and every `@name` reference
 * becomes a line reference by key (incident, claim, answers), so the file says no more than the scenario does.
 */
export const scenarioAsNdjson = (scenario: Scenario): string =>
  scenario.steps
    .map((step, i) => {
      const body: Record<string, unknown> = { ...step.body };
      const line: Record<string, unknown> = { key: step.as ?? `step-${i}`, action: step.action };
      if (step.incident) line.incident = step.incident;
      if (step.claim) line.claim = step.claim;
      if (Array.isArray(body.answers) && body.answers.some((a) => ref(a))) {
        line.answers = body.answers.map((a) => ref(a) ?? a);
        delete body.answers;
      }
      const entry = body.entry as Record<string, unknown> | undefined;
      if (entry && ref(entry.claimId)) {
        line.claim = ref(entry.claimId);
        const { claimId: _claimId, ...rest } = entry;
        body.entry = rest;
      }
      line.body = body;
      return JSON.stringify(line);
    })
    .join('\n');
