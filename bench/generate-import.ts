/**
 * A bulk-import file in the agreed NDJSON line format: one JSON object per line,
 *
 *   {"key": "<the line's idempotency key>", "action": "registerParty" | "reportIncident" | "makeClaim" | ...,
 *    "incident": "<key of the line that reported it>"?, "body": { ...the JSON body of the matching HTTP route... }}
 *
 * The demo's parties first, then each incident followed by its claims (as an export of another system, grouped by
 * incident, would come). Claims are the demo's first claim spoken in turn by the demo's parties that take sides, with
 * a statement of their own. Deterministic: the same sizes give the same file.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { demoClaimBody, demoIncidentBody, demoPartyBodies } from './support/demo-bodies';

export interface ImportLine {
  key: string;
  action: 'registerParty' | 'reportIncident' | 'makeClaim' | 'denyClaim' | 'correctClaim' | 'retractClaim';
  incident?: string;
  incidentId?: string;
  claim?: string;
  claimId?: string;
  body: Record<string, unknown>;
}

export interface ImportFileSize {
  claims: number;
  incidents: number;
  /**
   * Claims of the first incident, out of `claims` (the rest spread over the other incidents), and a title of its own
   * (HEAVY_INCIDENT_TITLE): the dashboard benchmark's incident of a thousand claims. Absent: all spread evenly.
   */
  heavyIncidentClaims?: number;
}

/** The title of the heavy incident (see ImportFileSize), one word that no other title holds: found by `?q=`. */
export const HEAVY_INCIDENT_TITLE = 'Heavyweight incident of many claims';

/** The parties whose claim of the demo makes sense: its assertions name the Karabakh army as the other side. */
const CLAIMANTS = ['azerbaijan-defence-ministry', 'azerbaijan-foreign-ministry', 'azerbaijan', 'osce-minsk-group-co-chairs'];

export function* importLines({ claims, incidents, heavyIncidentClaims }: ImportFileSize): Generator<ImportLine> {
  for (const body of demoPartyBodies()) yield { key: `party-${String(body.partyId)}`, action: 'registerParty', body };
  const incidentBody = demoIncidentBody();
  const claimBody = demoClaimBody();
  const statement = claimBody.statement as Record<string, unknown>;
  let made = 0;
  const heavy = heavyIncidentClaims === undefined ? undefined : Math.min(heavyIncidentClaims, claims);
  const [spread, over] = heavy === undefined ? [claims, incidents] : [claims - heavy, Math.max(1, incidents - 1)];
  for (let n = 0; n < incidents; n++) {
    const incident = `incident-${n + 1}`;
    const title = heavy !== undefined && n === 0 ? HEAVY_INCIDENT_TITLE : `${String(incidentBody.title)} (${n + 1})`;
    yield { key: incident, action: 'reportIncident', body: { ...incidentBody, title } };
    // Spread evenly: the first (claims % incidents) incidents take one claim more.
    const m = heavy === undefined ? n : n - 1;
    const here = heavy !== undefined && n === 0 ? heavy : Math.floor(spread / over) + (m < spread % over ? 1 : 0);
    for (let c = 0; c < here; c++, made++) {
      yield {
        key: `${incident}-claim-${c + 1}`,
        action: 'makeClaim',
        incident,
        body: { ...claimBody, partyId: CLAIMANTS[made % CLAIMANTS.length], statement: { ...statement, text: `${String(statement.text)} (statement ${made + 1})` } },
      };
    }
  }
}

/** Writes the file; returns how many lines it has, i.e. how many events a complete import appends. */
export const writeImportFile = (file: string, size: ImportFileSize): number => {
  const fd = openSync(file, 'w');
  let lines = 0;
  let chunk: string[] = [];
  try {
    for (const line of importLines(size)) {
      chunk.push(JSON.stringify(line));
      lines++;
      if (chunk.length === 10_000) {
        writeSync(fd, `${chunk.join('\n')}\n`);
        chunk = [];
      }
    }
    if (chunk.length) writeSync(fd, `${chunk.join('\n')}\n`);
  } finally {
    closeSync(fd);
  }
  return lines;
};
