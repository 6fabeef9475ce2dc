import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadLedgerConfig, nestLogLevels } from './ledger-config';
import { currentBootId } from '@ledger/read-models';

describe('loadLedgerConfig', () => {
  let cwd: string;

  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'ledger-config-'));
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  const configError = (env: NodeJS.ProcessEnv): ConfigError => {
    try {
      loadLedgerConfig(env, cwd);
    } catch (e) {
      if (e instanceof ConfigError) return e;
      throw e;
    }
    throw new Error('expected a ConfigError');
  };

  it('applies defaults and creates the data directory under cwd', () => {
    const config = loadLedgerConfig({}, cwd);

    expect(config).toEqual({
      port: 3000,
      host: '127.0.0.1',
      dataDir: join(cwd, 'data'),
      ledgerSchema: 'ledger',
      logLevel: 'info',
      tokensFile: join(cwd, 'data', 'tokens.json'),
      readModelsFile: join(cwd, 'data', 'read-models.sqlite'),
      readModelsSync: 'normal',
      bodyLimitBytes: 1024 * 1024,
      notary: { origin: 'incident-ledger', checkpointIntervalMs: 60_000, snapshotIntervalMs: 10_000 },
      feed: { heartbeatMs: 15_000, slowConsumerMs: 10_000, ringSize: 10_000, maxStreamsPerToken: 100, maxStreams: 2_000 },
      writeSide: { stateCacheEvents: 500_000, stateCacheStreams: 20_000, stateCacheMiB: 256 },
      imports: { maxLineBytes: 1024 * 1024 + 16 * 1024, maxTotalBytes: 0 },
      projectionThread: 'worker',
      readyMaxLagMs: 10_000,
      http: { connectionTimeoutMs: 120_000, requestTimeoutMs: 300_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 72_000, timeoutCheckIntervalMs: 1_000 },
      rateLimit: { max: 6_000, windowMs: 60_000 },
      metrics: 'admin',
      corsOrigins: [],
      storeWriterThread: 'worker',
      statsThread: 'worker',
      auditThread: 'worker',
      shutdownTimeoutMs: 30_000,
      storeStartTimeoutMs: 120_000,
    });
    expect(Object.isFrozen(config.feed)).toBe(true);
    expect(Object.isFrozen(config.writeSide)).toBe(true);
    expect(statSync(join(cwd, 'data')).isDirectory()).toBe(true);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every variable, resolving relative paths against cwd', () => {
    const config = loadLedgerConfig(
      {
        PORT: '8080',
        HOST: '0.0.0.0',
        LEDGER_DATA_DIR: 'var/ledger',
        LOG_LEVEL: 'DEBUG',
        LEDGER_TOKENS_FILE: 'secrets/tokens.json',
        LEDGER_READ_MODELS_FILE: 'ram/read-models.sqlite',
        LEDGER_READ_MODELS_SYNC: 'normal',
        LEDGER_BODY_LIMIT_BYTES: '2048',
        EVENTSTORE_CONNECTION_STRING: 'esdb+discover://node1:2113?tls=false',
        LEDGER_CHECKPOINT_INTERVAL_MS: '0',
        LEDGER_NOTARY_SNAPSHOT_INTERVAL_MS: '0',
        LEDGER_ORIGIN: 'monitoring-desk-1',
        LEDGER_NOTARY_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----',
        LEDGER_FEED_HEARTBEAT_MS: '100',
        LEDGER_FEED_SLOW_CONSUMER_MS: '250',
        LEDGER_FEED_RING_SIZE: '64',
        LEDGER_STATE_CACHE_EVENTS: '1000',
        LEDGER_STATE_CACHE_STREAMS: '10',
        LEDGER_STATE_CACHE_MIB: '64',
        LEDGER_IMPORT_LINE_LIMIT_BYTES: '4096',
        LEDGER_IMPORT_LIMIT_BYTES: '1000000',
        LEDGER_PROJECTION_THREAD: 'inline',
        LEDGER_READY_MAX_LAG_MS: '2500',
        LEDGER_FEED_MAX_STREAMS_PER_TOKEN: '3',
        LEDGER_FEED_MAX_STREAMS: '30',
        LEDGER_CONNECTION_TIMEOUT_MS: '0',
        LEDGER_REQUEST_TIMEOUT_MS: '5000',
        LEDGER_HEADERS_TIMEOUT_MS: '2000',
        LEDGER_KEEP_ALIVE_TIMEOUT_MS: '5000',
        LEDGER_TIMEOUT_CHECK_INTERVAL_MS: '100',
        LEDGER_RATE_LIMIT_MAX: '0',
        LEDGER_RATE_LIMIT_WINDOW_MS: '1000',
        LEDGER_METRICS: 'OFF',
        LEDGER_CORS_ORIGINS: 'https://dashboard.example.org, http://localhost:5173',
        LEDGER_STORE_WRITER_THREAD: 'inline',
        LEDGER_STATS_THREAD: 'inline',
        LEDGER_AUDIT_THREAD: 'inline',
        LEDGER_SHUTDOWN_TIMEOUT_MS: '5000',
        LEDGER_STORE_START_TIMEOUT_MS: '0',
      },
      cwd,
    );

    expect(config).toEqual({
      port: 8080,
      host: '0.0.0.0',
      dataDir: join(cwd, 'var', 'ledger'),
      ledgerSchema: 'ledger',
      logLevel: 'debug',
      tokensFile: join(cwd, 'secrets', 'tokens.json'),
      readModelsFile: join(cwd, 'ram', 'read-models.sqlite'),
      readModelsSync: 'normal',
      bodyLimitBytes: 2048,
      eventStoreConnectionString: 'esdb+discover://node1:2113?tls=false',
      notary: {
        origin: 'monitoring-desk-1',
        checkpointIntervalMs: 0,
        snapshotIntervalMs: 0,
        privateKeyPem: '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----',
      },
      feed: { heartbeatMs: 100, slowConsumerMs: 250, ringSize: 64, maxStreamsPerToken: 3, maxStreams: 30 },
      writeSide: { stateCacheEvents: 1000, stateCacheStreams: 10, stateCacheMiB: 64 },
      imports: { maxLineBytes: 4096, maxTotalBytes: 1_000_000 },
      projectionThread: 'inline',
      readyMaxLagMs: 2_500,
      http: { connectionTimeoutMs: 0, requestTimeoutMs: 5000, headersTimeoutMs: 2000, keepAliveTimeoutMs: 5000, timeoutCheckIntervalMs: 100 },
      rateLimit: { max: 0, windowMs: 1000 },
      metrics: 'off',
      corsOrigins: ['https://dashboard.example.org', 'http://localhost:5173'],
      storeWriterThread: 'inline',
      statsThread: 'inline',
      auditThread: 'inline',
      shutdownTimeoutMs: 5000,
      storeStartTimeoutMs: 0,
    });
    expect(statSync(join(cwd, 'var', 'ledger')).isDirectory()).toBe(true);
  });

  it('defaults the tokens file into a custom data directory, and accepts port 0', () => {
    const dataDir = join(cwd, 'elsewhere');
    const config = loadLedgerConfig({ LEDGER_DATA_DIR: dataDir, PORT: '0' }, '/');
    expect(config.tokensFile).toBe(join(dataDir, 'tokens.json'));
    expect(config.port).toBe(0);
  });

  it('refuses a head timeout longer than the whole-request timeout, which Node would refuse at listen', () => {
    expect(configError({ LEDGER_REQUEST_TIMEOUT_MS: '1000', LEDGER_HEADERS_TIMEOUT_MS: '2000' }).problems).toEqual([
      { variable: 'LEDGER_HEADERS_TIMEOUT_MS', value: '2000', expected: 'at most LEDGER_REQUEST_TIMEOUT_MS (1000)' },
    ]);
    expect(loadLedgerConfig({ LEDGER_REQUEST_TIMEOUT_MS: '0', LEDGER_HEADERS_TIMEOUT_MS: '2000' }, cwd).http.headersTimeoutMs).toBe(2000);
    expect(configError({ LEDGER_CORS_ORIGINS: 'https://ok.example.org,*' }).problems).toEqual([
      expect.objectContaining({ variable: 'LEDGER_CORS_ORIGINS', value: '*' }),
    ]);
    expect(configError({ LEDGER_METRICS: 'public', LEDGER_FEED_MAX_STREAMS: '0' }).problems.map((p) => p.variable)).toEqual([
      'LEDGER_FEED_MAX_STREAMS',
      'LEDGER_METRICS',
    ]);
  });

  it('treats empty values as unset', () => {
    const config = loadLedgerConfig({ PORT: '', LOG_LEVEL: '  ', EVENTSTORE_CONNECTION_STRING: '' }, cwd);
    expect(config.port).toBe(3000);
    expect(config.logLevel).toBe('info');
    expect(config.eventStoreConnectionString).toBeUndefined();
  });

  it('keeps the read models in PostgreSQL too only when LEDGER_READ_MODELS_URL names one, in their own schema', () => {
    expect(loadLedgerConfig({}, cwd).readModels).toBeUndefined();
    expect(loadLedgerConfig({ LEDGER_READ_MODELS_URL: 'postgres://bi@db:5432/ledger' }, cwd).readModels).toEqual({ url: 'postgres://bi@db:5432/ledger', schema: 'ledger_read_models', poolSize: 10 });
    expect(loadLedgerConfig({ LEDGER_READ_MODELS_URL: 'postgresql://db/ledger', LEDGER_READ_MODELS_SCHEMA: 'rm' }, cwd).readModels?.schema).toBe('rm');
    const error = configError({ LEDGER_READ_MODELS_URL: 'mysql://u:secret@db/x', LEDGER_READ_MODELS_SCHEMA: 'Read-Models' });
    expect(error.problems.map((p) => p.variable)).toEqual(['LEDGER_READ_MODELS_URL', 'LEDGER_READ_MODELS_SCHEMA']);
    expect(error.message).not.toContain('secret');
  });

  it('sizes the read models’ connection pool from LEDGER_READ_MODELS_POOL_SIZE, refusing what is not a count of connections', () => {
    const url = { LEDGER_READ_MODELS_URL: 'postgres://db/ledger' };
    expect(loadLedgerConfig({ ...url, LEDGER_READ_MODELS_POOL_SIZE: '24' }, cwd).readModels?.poolSize).toBe(24);
    for (const bad of ['0', '-1', '1001', '2.5', 'ten', '1e3', '99999999999999999999']) {
      expect({ bad, problems: configError({ ...url, LEDGER_READ_MODELS_POOL_SIZE: bad }).problems.map((p) => p.variable) }).toEqual({ bad, problems: ['LEDGER_READ_MODELS_POOL_SIZE'] });
    }
  });

  it('keeps what replicas share (tokens, notary key) in a schema of its own, never the read models’ one that BI tools read', () => {
    expect(loadLedgerConfig({ LEDGER_POSTGRES_SCHEMA: 'ledger_eu' }, cwd).ledgerSchema).toBe('ledger_eu');
    expect(configError({ LEDGER_POSTGRES_SCHEMA: 'Ledger' }).problems.map((p) => p.variable)).toEqual(['LEDGER_POSTGRES_SCHEMA']);
    const same = configError({ LEDGER_READ_MODELS_URL: 'postgres://db/x', LEDGER_READ_MODELS_SCHEMA: 'shared', LEDGER_POSTGRES_SCHEMA: 'shared' });
    expect(same.problems.map((p) => p.variable)).toEqual(['LEDGER_POSTGRES_SCHEMA']);
  });

  it('reports every invalid variable at once, one line each', () => {
    const error = configError({
      PORT: '70000',
      LOG_LEVEL: 'verbose',
      LEDGER_BODY_LIMIT_BYTES: '1e6',
      EVENTSTORE_CONNECTION_STRING: 'https://admin:changeit@localhost:2113',
    });

    expect(error.problems.map((p) => p.variable)).toEqual([
      'PORT',
      'LOG_LEVEL',
      'LEDGER_BODY_LIMIT_BYTES',
      'EVENTSTORE_CONNECTION_STRING',
    ]);
    const lines = error.message.split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe('Invalid configuration (4 problems):');
    expect(lines[1]).toBe('  PORT="70000": expected an integer from 0 to 65535');
    expect(lines[2]).toContain('LOG_LEVEL="verbose": expected one of fatal, error, warn, info, debug, trace');
    expect(lines[3]).toContain('LEDGER_BODY_LIMIT_BYTES="1e6": expected a positive integer');
    expect(lines[4]).toContain('EVENTSTORE_CONNECTION_STRING: expected a connection string starting with esdb:// or esdb+discover://');
    // Connection strings carry credentials; they never reach logs.
    expect(error.message).not.toContain('changeit');
  });

  it.each(['-1', '3000.5', 'abc', '0x10', '65536'])('rejects PORT=%s', (port) => {
    expect(configError({ PORT: port }).problems).toEqual([expect.objectContaining({ variable: 'PORT' })]);
  });

  it.each(['0', '-5', '10MB'])('rejects LEDGER_BODY_LIMIT_BYTES=%s', (limit) => {
    expect(configError({ LEDGER_BODY_LIMIT_BYTES: limit }).problems[0].variable).toBe('LEDGER_BODY_LIMIT_BYTES');
  });

  it('bounds an import line by the body limit plus room for its own members, unless told otherwise', () => {
    expect(loadLedgerConfig({ LEDGER_BODY_LIMIT_BYTES: '2048' }, cwd).imports).toEqual({ maxLineBytes: 2048 + 16 * 1024, maxTotalBytes: 0 });
  });

  it.each([
    ['LEDGER_IMPORT_LINE_LIMIT_BYTES', '0'],
    ['LEDGER_IMPORT_LINE_LIMIT_BYTES', '1MB'],
    ['LEDGER_IMPORT_LIMIT_BYTES', '-1'],
    ['LEDGER_IMPORT_LIMIT_BYTES', '10GB'],
  ])('rejects %s=%s', (variable, value) => {
    expect(configError({ [variable]: value }).problems.map((p) => p.variable)).toEqual([variable]);
  });

  it('resolves a notary key file against cwd and rejects one that cannot be read', () => {
    writeFileSync(join(cwd, 'notary.pem'), 'pem');
    expect(loadLedgerConfig({ LEDGER_NOTARY_KEY_FILE: 'notary.pem' }, cwd).notary.keyFile).toBe(join(cwd, 'notary.pem'));
    expect(configError({ LEDGER_NOTARY_KEY_FILE: 'missing.pem' }).problems).toEqual([
      { variable: 'LEDGER_NOTARY_KEY_FILE', value: join(cwd, 'missing.pem'), expected: 'a readable PKCS#8 PEM file' },
    ]);
  });

  it.each([
    ['LEDGER_CHECKPOINT_INTERVAL_MS', '-1'],
    ['LEDGER_CHECKPOINT_INTERVAL_MS', '1m'],
    ['LEDGER_ORIGIN', 'has spaces'],
    ['LEDGER_NOTARY_PRIVATE_KEY', 'not a pem'],
  ])('rejects %s=%s, without echoing a private key', (variable, value) => {
    const [problem] = configError({ [variable]: value }).problems;
    expect(problem.variable).toBe(variable);
    if (variable === 'LEDGER_NOTARY_PRIVATE_KEY') expect(problem).not.toHaveProperty('value');
  });

  it.each([
    ['LEDGER_FEED_HEARTBEAT_MS', '0'],
    ['LEDGER_FEED_HEARTBEAT_MS', '15s'],
    ['LEDGER_FEED_HEARTBEAT_MS', '2147483648'],
    ['LEDGER_FEED_SLOW_CONSUMER_MS', '0'],
    ['LEDGER_FEED_SLOW_CONSUMER_MS', '-1'],
    ['LEDGER_FEED_RING_SIZE', '0'],
    ['LEDGER_FEED_RING_SIZE', '1000001'],
    ['LEDGER_FEED_RING_SIZE', '1e4'],
    ['LEDGER_STATE_CACHE_EVENTS', '-1'],
    ['LEDGER_STATE_CACHE_EVENTS', 'lots'],
    ['LEDGER_STATE_CACHE_STREAMS', '1.5'],
    ['LEDGER_STATE_CACHE_MIB', '-1'],
    ['LEDGER_STATE_CACHE_MIB', '1048577'],
    ['LEDGER_PROJECTION_THREAD', 'thread'],
    ['LEDGER_PROJECTION_THREAD', 'WORKER'],
    ['LEDGER_READY_MAX_LAG_MS', '0'],
    ['LEDGER_STORE_WRITER_THREAD', 'thread'],
    ['LEDGER_STATS_THREAD', 'thread'],
    ['LEDGER_AUDIT_THREAD', 'off'],
    ['LEDGER_SHUTDOWN_TIMEOUT_MS', '0'],
    ['LEDGER_SHUTDOWN_TIMEOUT_MS', '30s'],
    ['LEDGER_SHUTDOWN_TIMEOUT_MS', '2147483648'],
  ])('rejects %s=%s, echoing the value', (variable, value) => {
    expect(configError({ [variable]: value }).problems).toEqual([{ variable, value, expected: expect.any(String) }]);
  });

  it('accepts the smallest feed settings (a ring of one event, 1 ms timers)', () => {
    const { feed } = loadLedgerConfig({ LEDGER_FEED_HEARTBEAT_MS: '1', LEDGER_FEED_SLOW_CONSUMER_MS: '1', LEDGER_FEED_RING_SIZE: '1' }, cwd);
    expect(feed).toMatchObject({ heartbeatMs: 1, slowConsumerMs: 1, ringSize: 1 });
  });

  it('takes 0 as a write-side state cache switched off', () => {
    const { writeSide } = loadLedgerConfig({ LEDGER_STATE_CACHE_EVENTS: '0', LEDGER_STATE_CACHE_STREAMS: '0', LEDGER_STATE_CACHE_MIB: '0' }, cwd);
    expect(writeSide).toEqual({ stateCacheEvents: 0, stateCacheStreams: 0, stateCacheMiB: 0 });
  });

  it('rejects a data directory that is a file', () => {
    writeFileSync(join(cwd, 'occupied'), 'x');
    const error = configError({ LEDGER_DATA_DIR: 'occupied' });
    expect(error.problems).toEqual([
      expect.objectContaining({ variable: 'LEDGER_DATA_DIR', expected: expect.stringContaining('a writable directory') }),
    ]);
  });

  it('rejects a tokens file path that is a directory', () => {
    const error = configError({ LEDGER_TOKENS_FILE: '.' });
    expect(error.problems[0].variable).toBe('LEDGER_TOKENS_FILE');
  });

  describe('LEDGER_READ_MODELS_SYNC', () => {
    const bootKnown = currentBootId() !== undefined;

    it("defaults to 'normal'", () => {
      expect(loadLedgerConfig({}, cwd).readModelsSync).toBe('normal');
      if (process.platform === 'linux') expect(bootKnown).toBe(true);
    });

    it("takes 'normal', and 'off' where the boot id is known", () => {
      expect(loadLedgerConfig({ LEDGER_READ_MODELS_SYNC: 'normal' }, cwd).readModelsSync).toBe('normal');
      if (bootKnown) expect(loadLedgerConfig({ LEDGER_READ_MODELS_SYNC: 'off' }, cwd).readModelsSync).toBe('off');
    });

    // Spaces around a value are trimmed, as for every variable; the case is not folded.
    it.each(['OFF', 'full', 'fsync'])('refuses %j, naming the variable', (value) => {
      const error = configError({ LEDGER_READ_MODELS_SYNC: value });
      expect(error.problems).toEqual([expect.objectContaining({ variable: 'LEDGER_READ_MODELS_SYNC', value, expected: expect.stringContaining("'normal'") })]);
    });
  });

  describe('LEDGER_READ_MODELS_FILE', () => {
    it('defaults to read-models.sqlite in the data directory', () => {
      expect(loadLedgerConfig({ LEDGER_DATA_DIR: 'somewhere' }, cwd).readModelsFile).toBe(join(cwd, 'somewhere', 'read-models.sqlite'));
    });

    it('puts the file elsewhere, resolved from cwd, and creates its directory', () => {
      const config = loadLedgerConfig({ LEDGER_READ_MODELS_FILE: 'ram/read/models.sqlite' }, cwd);
      expect(config.readModelsFile).toBe(join(cwd, 'ram', 'read', 'models.sqlite'));
      expect(statSync(join(cwd, 'ram', 'read')).isDirectory()).toBe(true);
      expect(config.dataDir).toBe(join(cwd, 'data'));
    });

    it.each([
      ['a directory', '.', 'it is a directory'],
      ['a file whose directory is a file', 'occupied/models.sqlite', 'a writable directory'],
      ['the event log', 'data/events.sqlite', 'not the event log or the tokens file'],
      ['the tokens file', 'data/tokens.json', 'not the event log or the tokens file'],
    ])('refuses %s', (_what, value, expected) => {
      writeFileSync(join(cwd, 'occupied'), 'x');
      const error = configError({ LEDGER_READ_MODELS_FILE: value });
      expect(error.problems).toEqual([expect.objectContaining({ variable: 'LEDGER_READ_MODELS_FILE', expected: expect.stringContaining(expected) })]);
    });

    it('refuses it beside LEDGER_READ_MODELS_URL, which puts the read models in PostgreSQL', () => {
      const error = configError({ LEDGER_READ_MODELS_FILE: 'models.sqlite', LEDGER_READ_MODELS_URL: 'postgres://127.0.0.1/test' });
      expect(error.problems).toEqual([expect.objectContaining({ variable: 'LEDGER_READ_MODELS_FILE', expected: expect.stringContaining('LEDGER_READ_MODELS_URL') })]);
    });
  });
});

describe('nestLogLevels', () => {
  it('maps a threshold to the set of enabled Nest levels', () => {
    expect(nestLogLevels('fatal')).toEqual(['fatal']);
    expect(nestLogLevels('info')).toEqual(['fatal', 'error', 'warn', 'log']);
    expect(nestLogLevels('trace')).toEqual(['fatal', 'error', 'warn', 'log', 'debug', 'verbose']);
  });
});
