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

  it('gives the heavy incident its claims and its own title, the rest spread over the others, the total unchanged', () => {
    const lines = [...importLines({ claims: 11, incidents: 3, heavyIncidentClaims: 5 })];
    expect(lines.filter((l) => l.action === 'makeClaim').map((l) => l.incident)).toEqual([...Array(5).fill('incident-1'), ...Array(3).fill('incident-2'), ...Array(3).fill('incident-3')]);
    expect(lines.filter((l) => l.action === 'reportIncident').map((l) => l.body.title === HEAVY_INCIDENT_TITLE)).toEqual([true, false, false]);
  });
});
