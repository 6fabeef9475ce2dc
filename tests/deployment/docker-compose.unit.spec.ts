import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(__dirname, '..', '..');

// No container engine runs here, so the compose file and Dockerfile are checked for what they promise.
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'));

  it('runs EventStoreDB 24.10 as an insecure single node with projections and a health check, data on a named volume', () => {
    const esdb = compose.services.eventstore;
    expect(esdb.image).toBe('eventstore/eventstore:24.10');
    expect(esdb.environment).toMatchObject({ EVENTSTORE_CLUSTER_SIZE: '1', EVENTSTORE_INSECURE: 'true', EVENTSTORE_RUN_PROJECTIONS: 'All' });
    expect(esdb.healthcheck.test.join(' ')).toContain('/health/live');
    const volume = esdb.volumes.find((v: string) => v.endsWith(':/var/lib/eventstore')).split(':')[0];
    expect(Object.keys(compose.volumes)).toContain(volume);
  });

  it('builds the ledger from the Dockerfile and starts it only once EventStoreDB is healthy, pointed at it', () => {
    const ledger = compose.services.ledger;
    expect(ledger.build).toBe('.');
    expect(ledger.depends_on.eventstore.condition).toBe('service_healthy');
    expect(ledger.environment.EVENTSTORE_CONNECTION_STRING).toBe('esdb://eventstore:2113?tls=false');
  });

  it('restarts both services when they stop (a ledger that gave up waiting for the node comes back)', () => {
    expect(compose.services.eventstore.restart).toBe('unless-stopped');
    expect(compose.services.ledger.restart).toBe('unless-stopped');
  });

  it('keeps the initial tokens where the README tells operators to read them', () => {
    const ledger = compose.services.ledger;
    const dataDir = ledger.environment.LEDGER_DATA_DIR;
    expect(ledger.volumes.some((v: string) => v.endsWith(`:${dataDir}`))).toBe(true);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(`docker compose exec ledger cat ${dataDir}/initial-tokens.txt`);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

  it('is multi-stage, installs production dependencies only in the shipped image, and runs as a non-root user', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toContain('npm ci --omit=dev');
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toContain('dist/apps/ledger-api/main.js');
  });

  it('builds with npm run build, so the image ships the dashboard the ledger serves at /', () => {
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.build).toContain('build:dashboard');
  });
});
