import { HEAVY_INCIDENT_TITLE, importLines } from './generate-import';
import { BUILD_TIMEOUT_MS, SpawnedLedger, ensureBuilt, killAllSpawned, removeDataDir, spawnLedger } from '../tests/support/spawned-ledger';

/**
 * The import benchmark's file must be something the ledger accepts: every line, sent to the single-command route of
 * its action with its key as Idempotency-Key, is recorded (201) on an empty ledger. Otherwise the benchmark would
 * time the rejection of bad lines.
 */
const ROUTES: Record<string, (ids: Map<string, string>, incident?: string) => string> = {
  registerParty: () => '/parties',
  reportIncident: () => '/incidents',
  makeClaim: (ids, incident) => `/incidents/${ids.get(incident!)}/claims`,
};

describe('bench import file', () => {
  let ledger: SpawnedLedger | undefined;

  beforeAll(() => ensureBuilt('ledger-api'), BUILD_TIMEOUT_MS + 10_000);
  afterAll(async () => {
    await killAllSpawned();
    if (ledger) removeDataDir(ledger.dataDir);
  });

  it('has unique keys, references only earlier lines, and every line is accepted by its route', async () => {
    const lines = [...importLines({ claims: 11, incidents: 3 })];
    expect(new Set(lines.map((l) => l.key)).size).toBe(lines.length);
    expect(lines.filter((l) => l.action === 'makeClaim').map((l) => l.incident)).toEqual([...Array(4).fill('incident-1'), ...Array(4).fill('incident-2'), ...Array(3).fill('incident-3')]);

    ledger = await spawnLedger({ env: { LEDGER_CHECKPOINT_INTERVAL_MS: '0' } });
    const ids = new Map<string, string>();
    const refused: string[] = [];
    for (const line of lines) {
      const route = ROUTES[line.action];
      if (line.incident !== undefined && !ids.has(line.incident)) refused.push(`${line.key}: ${line.incident} not reported before`);
      const res = await ledger.request('POST', route(ids, line.incident), { role: 'recorder', body: line.body, headers: { 'idempotency-key': line.key } });
      if (res.status !== 201) refused.push(`${line.key}: ${res.status} ${JSON.stringify(res.body)}`);
      if (line.action === 'reportIncident') ids.set(line.key, res.body.incidentId);
    }
    expect(refused).toEqual([]);
  }, 60_000);

  it('interleaved, holds the same lines, every incident reported before any claim, the claims taken in turn', () => {
    const grouped = [...importLines({ claims: 11, incidents: 3 })];
    const interleaved = [...importLines({ claims: 11, incidents: 3, interleaved: true })];
    const keys = (lines: typeof grouped) => lines.map((l) => l.key).sort();
    expect(keys(interleaved)).toEqual(keys(grouped));
    expect(interleaved.filter((l) => l.action !== 'makeClaim').map((l) => l.key)).toEqual(grouped.filter((l) => l.action !== 'makeClaim').map((l) => l.key));
    const firstClaim = interleaved.findIndex((l) => l.action === 'makeClaim');
    expect(interleaved.slice(firstClaim).every((l) => l.action === 'makeClaim')).toBe(true);
    expect(interleaved.slice(firstClaim).map((l) => l.incident)).toEqual([
      ...['incident-1', 'incident-2', 'incident-3'],
      ...['incident-1', 'incident-2', 'incident-3'],
      ...['incident-1', 'incident-2', 'incident-3'],
      ...['incident-1', 'incident-2'],
    ]);
    // Each incident's claims keep their own order.
    const ofIncident1 = interleaved.filter((l) => l.incident === 'incident-1').map((l) => l.key);
    expect(ofIncident1).toEqual(['incident-1-claim-1', 'incident-1-claim-2', 'incident-1-claim-3', 'incident-1-claim-4']);
  });

  it('gives the heavy incident its claims and its own title, the rest spread over the others, the total unchanged', () => {
    const lines = [...importLines({ claims: 11, incidents: 3, heavyIncidentClaims: 5 })];
    expect(lines.filter((l) => l.action === 'makeClaim').map((l) => l.incident)).toEqual([...Array(5).fill('incident-1'), ...Array(3).fill('incident-2'), ...Array(3).fill('incident-3')]);
    expect(lines.filter((l) => l.action === 'reportIncident').map((l) => l.body.title === HEAVY_INCIDENT_TITLE)).toEqual([true, false, false]);
  });
});
