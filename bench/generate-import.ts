/**
 * A bulk-import file in the agreed NDJSON line format: one JSON object per line,
 *
 *   {"key": "<the line's idempotency key>", "action": "registerParty" | "reportIncident" | "makeClaim" | ...,
 *    "incident": "<key of the line that reported it>"?, "body": { ...the JSON body of the matching HTTP route... }}
 *
 * The demo's parties first, then each incident followed by its claims (as an export of another system, grouped by
 * incident, would come), or every incident and then their claims in turn (`interleaved`). Claims are the demo's first claim spoken in turn by the demo's parties that take sides, with
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
  /**
   * Claims in turn across the incidents (every incident reported first, then each one's first claim, each one's second,
   * and so on), as a file sorted by when things were said rather than by incident comes. Absent: grouped by incident.
   */
  interleaved?: boolean;
}

/** The title of the heavy incident (see ImportFileSize), one word that no other title holds: found by `?q=`. */
export const HEAVY_INCIDENT_TITLE = 'Heavyweight incident of many claims';

/** The parties whose claim of the demo makes sense: its assertions name the Karabakh army as the other side. */
const CLAIMANTS = ['azerbaijan-defence-ministry', 'azerbaijan-foreign-ministry', 'azerbaijan', 'osce-minsk-group-co-chairs'];

export function* importLines({ claims, incidents, heavyIncidentClaims, interleaved }: ImportFileSize): Generator<ImportLine> {
  for (const body of demoPartyBodies()) yield { key: `party-${String(body.partyId)}`, action: 'registerParty', body };
  const incidentBody = demoIncidentBody();
  const claimBody = demoClaimBody();
  const statement = claimBody.statement as Record<string, unknown>;
  let made = 0;
  const heavy = heavyIncidentClaims === undefined ? undefined : Math.min(heavyIncidentClaims, claims);
  const [spread, over] = heavy === undefined ? [claims, incidents] : [claims - heavy, Math.max(1, incidents - 1)];
  const incidentKey = (n: number): string => `incident-${n + 1}`;
  const report = (n: number): ImportLine => {
    const title = heavy !== undefined && n === 0 ? HEAVY_INCIDENT_TITLE : `${String(incidentBody.title)} (${n + 1})`;
    return { key: incidentKey(n), action: 'reportIncident', body: { ...incidentBody, title } };
  };
  // Spread evenly: the first (claims % incidents) incidents take one claim more.
  const claimsOf = (n: number): number => {
    const m = heavy === undefined ? n : n - 1;
    return heavy !== undefined && n === 0 ? heavy : Math.floor(spread / over) + (m < spread % over ? 1 : 0);
  };
  const claim = (n: number, c: number): ImportLine => {
    const line: ImportLine = {
      key: `${incidentKey(n)}-claim-${c + 1}`,
      action: 'makeClaim',
      incident: incidentKey(n),
      body: { ...claimBody, partyId: CLAIMANTS[made % CLAIMANTS.length], statement: { ...statement, text: `${String(statement.text)} (statement ${made + 1})` } },
    };
    made++;
    return line;
  };
  if (!interleaved) {
    for (let n = 0; n < incidents; n++) {
      yield report(n);
      for (let c = 0, here = claimsOf(n); c < here; c++) yield claim(n, c);
    }
    return;
  }
  for (let n = 0; n < incidents; n++) yield report(n);
  let most = 0;
  for (let n = 0; n < incidents; n++) most = Math.max(most, claimsOf(n));
  for (let c = 0; c < most; c++) for (let n = 0; n < incidents; n++) if (c < claimsOf(n)) yield claim(n, c);
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
