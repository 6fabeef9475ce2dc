import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/**
 * The scale profile cannot start here (no container engine, no image registry): its structure is what is checked,
 * against what the README promises and what the ledger reads.
 */
describe('docker-compose.yml, scale profile', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true });
  const services: Record<string, any> = compose.services;
  const inScale = Object.entries(services).filter(([, s]) => s.profiles?.includes('scale')).map(([name]) => name);
  const nodes = ['es1', 'es2', 'es3'];
  const replicas = ['ledger-1', 'ledger-2'];

  it('holds a three-node EventStoreDB cluster, PostgreSQL, two ledger replicas, a proxy and Grafana, none of them started by a plain `up`', () => {
    expect(inScale.sort()).toEqual([...nodes, 'grafana', ...replicas, 'postgres', 'proxy'].sort());
    // The single-node pair stays the default.
    expect(services.eventstore.profiles).toBeUndefined();
    expect(services.ledger.profiles).toBeUndefined();
  });

  it('makes each node a member of a cluster of three that finds the two others by gossip, under its own advertised name and volume', () => {
    const volumes = new Set<string>();
    for (const node of nodes) {
      const env = services[node].environment;
      expect(services[node].image).toBe('eventstore/eventstore:24.10');
      expect(env).toMatchObject({ EVENTSTORE_CLUSTER_SIZE: '3', EVENTSTORE_DISCOVER_VIA_DNS: 'false', EVENTSTORE_RUN_PROJECTIONS: 'None' });
      const seeds = env.EVENTSTORE_GOSSIP_SEED.split(',').map((seed: string) => seed.split(':')[0]).sort();
      expect(seeds).toEqual(nodes.filter((other) => other !== node));
      expect(env.EVENTSTORE_NODE_HOST_ADVERTISE_AS).toBe(node);
      expect(env.EVENTSTORE_REPLICATION_HOST_ADVERTISE_AS).toBe(node);
      volumes.add(services[node].volumes[0].split(':')[0]);
      expect(services[node].healthcheck.test.join(' ')).toContain('/health/live');
    }
    expect(volumes.size).toBe(3);
    for (const volume of volumes) expect(Object.keys(compose.volumes)).toContain(volume);
  });

  it('points both replicas at every node and at the one PostgreSQL, with one shared notary key, starting once all are healthy', () => {
    const [one, two] = replicas.map((name) => services[name]);
    const url = new URL(one.environment.LEDGER_READ_MODELS_URL);
    expect(url.protocol).toBe('postgres:');
    expect(url.hostname).toBe('postgres');
    expect(url.pathname).toBe(`/${services.postgres.environment.POSTGRES_DB}`);
    const esdb = one.environment.EVENTSTORE_CONNECTION_STRING as string;
    expect(esdb.replace(/^esdb:\/\//, '').split('?')[0].split(',').map((h) => h.split(':')[0])).toEqual(nodes);
    for (const replica of [one, two]) {
      expect(replica.build).toBe('.');
      expect(replica.environment.EVENTSTORE_CONNECTION_STRING).toBe(esdb);
      expect(replica.environment.LEDGER_READ_MODELS_URL).toBe(one.environment.LEDGER_READ_MODELS_URL);
      // Required, not defaulted: each replica generating a key of its own is what issue 14 reported.
      expect(replica.environment.LEDGER_NOTARY_PRIVATE_KEY).toMatch(/^\$\{LEDGER_NOTARY_PRIVATE_KEY:\?/);
      for (const dependency of [...nodes, 'postgres']) expect(replica.depends_on[dependency].condition).toBe('service_healthy');
    }
    expect(one.volumes[0].split(':')[0]).not.toBe(two.volumes[0].split(':')[0]);
    expect([one, two].filter((replica) => replica.environment.LEDGER_DEMO === 'true')).toHaveLength(1);
  });

  it('puts both replicas behind nginx, least connections, event streams and imports unbuffered', () => {
    const proxy = services.proxy;
    const mounted = proxy.volumes.find((v: string) => v.includes(':/etc/nginx/nginx.conf'));
    const conf = read(mounted.split(':')[0].replace(/^\.\//, ''));
    const upstream = conf.match(/upstream ledger \{([^}]*)\}/)![1];
    expect([...upstream.matchAll(/server ([\w-]+):3000/g)].map((m) => m[1])).toEqual(replicas);
    expect(upstream).toContain('least_conn');
    const streaming = conf.match(/location ~ \^\/\(feed\/stream\|imports\) \{([^}]*)\}/)![1];
    expect(streaming).toContain('proxy_buffering off');
    expect(streaming).toContain('proxy_request_buffering off');
    expect(proxy.ports).toEqual(['8080:8080']);
  });

  it('gives Grafana a provisioned PostgreSQL data source logging in as a member of the read-only role, and a dashboard whose queries read only the documented views', () => {
    const grafana = services.grafana;
    const provisioning = grafana.volumes.find((v: string) => v.endsWith(':/etc/grafana/provisioning:ro')).split(':')[0].replace(/^\.\//, '');
    const datasource = parse(read(`${provisioning}/datasources/ledger-read-models.yaml`)).datasources[0];
    expect(datasource).toMatchObject({ type: 'grafana-postgresql-datasource', url: 'postgres:5432', jsonData: { database: 'ledger' } });
    const init = read('deploy/scale/postgres/init-bi-login.sql');
    expect(init).toContain(`CREATE ROLE ${datasource.user} LOGIN PASSWORD '${datasource.secureJsonData.password}' IN ROLE ledger_bi`);
    expect(services.postgres.volumes.some((v: string) => v.startsWith('./deploy/scale/postgres/init-bi-login.sql:/docker-entrypoint-initdb.d/'))).toBe(true);

    const provider = parse(read(`${provisioning}/dashboards/ledger.yaml`)).providers[0];
    const dashboards = grafana.volumes.find((v: string) => v.includes(`:${provider.options.path}`)).split(':')[0].replace(/^\.\//, '');
    const dashboard = JSON.parse(read(`${dashboards}/ledger-read-models.json`));
    const queries: string[] = dashboard.panels.flatMap((panel: any) => panel.targets.map((target: any) => target.rawSql));
    expect(queries.length).toBeGreaterThanOrEqual(5);
    for (const panel of dashboard.panels) expect(panel.datasource.uid).toBe(datasource.uid);
    const readme = read('README.md');
    const documented = new Set([...readme.matchAll(/^#### view `(\w+)` \(PostgreSQL only\)/gm)].map((m) => m[1]));
    expect(documented.size).toBeGreaterThan(0);
    for (const sql of queries) {
      const relations = [...sql.matchAll(/ledger_read_models\.(\w+)/g)].map((m) => m[1]);
      expect(relations.length).toBeGreaterThan(0);
      for (const relation of relations) expect({ sql, relation, documented: documented.has(relation) }).toEqual({ sql, relation, documented: true });
    }
  });

  it('is described in the README, which says plainly that it has not been started here', () => {
    const readme = read('README.md');
    expect(readme).toContain('docker compose --profile scale up --build proxy grafana');
    expect(readme).toMatch(/scale profile[^\n]*(has not|never) (been )?(started|run)/i);
    for (const file of ['deploy/scale/nginx.conf', 'deploy/scale/grafana/dashboards/ledger-read-models.json']) expect(existsSync(join(ROOT, file))).toBe(true);
  });
});
