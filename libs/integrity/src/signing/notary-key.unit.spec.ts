import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  DEFAULT_NOTARY_KEY_FILE,
  generateNotaryKey,
  jwksOf,
  keyIdOf,
  loadOrCreateNotaryKey,
  publicJwk,
  publicKeyFromJwk,
} from './notary-key';

jest.mock('node:fs', () => {
  const actual = jest.requireActual<typeof import('node:fs')>('node:fs');
  return { ...actual, existsSync: jest.fn(actual.existsSync) };
});

// RFC 8032 §7.1 TEST 1, wrapped as PKCS#8 / SPKI: a key whose public half and encodings are known in advance.
const RFC8032_SECRET = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const RFC8032_PUBLIC = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const PKCS8_PREFIX = '302e020100300506032b657004220420';
const SPKI_PREFIX = '302a300506032b6570032100';
const rfcPem = (): string =>
  createPrivateKey({ key: Buffer.from(PKCS8_PREFIX + RFC8032_SECRET, 'hex'), format: 'der', type: 'pkcs8' })
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
const RFC_KEY_ID = createHash('sha256').update(Buffer.from(SPKI_PREFIX + RFC8032_PUBLIC, 'hex')).digest('hex');

describe('notary key', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'notary-key-'));
  });
  afterEach(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('generates a key on first start, stores it 0600, and loads the same key afterwards', () => {
    const first = loadOrCreateNotaryKey({ dataDir });
    expect(first.created).toBe(true);
    expect(first.source).toBe('generated');
    const file = path.join(dataDir, DEFAULT_NOTARY_KEY_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(fs.readdirSync(dataDir)).toEqual([DEFAULT_NOTARY_KEY_FILE]);

    const second = loadOrCreateNotaryKey({ dataDir });
    expect(second.created).toBe(false);
    expect(second.source).toBe('file');
    expect(second.key.keyId).toBe(first.key.keyId);
    const signature = sign(null, Buffer.from('x'), first.key.privateKey);
    expect(verify(null, Buffer.from('x'), second.key.publicKey, signature)).toBe(true);
  });

  it('creates the data directory when missing', () => {
    const nested = path.join(dataDir, 'a', 'b');
    const loaded = loadOrCreateNotaryKey({ dataDir: nested });
    expect(loaded.source).toBe('generated');
    expect(fs.existsSync(path.join(nested, DEFAULT_NOTARY_KEY_FILE))).toBe(true);
  });

  it('prefers configured PEM text over any file, and accepts escaped newlines', () => {
    loadOrCreateNotaryKey({ dataDir });
    const fromConfig = loadOrCreateNotaryKey({ dataDir, privateKeyPem: rfcPem(), keyFile: '/nonexistent.pem' });
    expect(fromConfig).toMatchObject({ created: false, source: 'config' });
    expect(fromConfig.key.keyId).toBe(RFC_KEY_ID);
    const escaped = loadOrCreateNotaryKey({ dataDir, privateKeyPem: rfcPem().replace(/\n/g, '\\n') });
    expect(escaped.key.keyId).toBe(RFC_KEY_ID);
  });

  it('reads an explicit key file and never creates it', () => {
    const file = path.join(dataDir, 'custom.pem');
    fs.writeFileSync(file, rfcPem());
    expect(loadOrCreateNotaryKey({ dataDir, keyFile: file })).toMatchObject({ created: false, source: 'file' });
    expect(loadOrCreateNotaryKey({ dataDir, keyFile: file }).key.keyId).toBe(RFC_KEY_ID);
    const missing = path.join(dataDir, 'missing.pem');
    expect(() => loadOrCreateNotaryKey({ dataDir, keyFile: missing })).toThrow(`Notary key file ${missing} cannot be read (ENOENT)`);
    expect(fs.existsSync(missing)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, DEFAULT_NOTARY_KEY_FILE))).toBe(false);
  });

  it('refuses non-Ed25519 and non-PKCS#8 keys with a clear message', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(() => loadOrCreateNotaryKey({ dataDir, privateKeyPem: rsa })).toThrow('the notary key must be Ed25519, got rsa');
    const sec1 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'sec1', format: 'pem' }) as string;
    expect(() => loadOrCreateNotaryKey({ dataDir, privateKeyPem: sec1 })).toThrow('expected an unencrypted PKCS#8 PEM');
    expect(() => loadOrCreateNotaryKey({ dataDir, privateKeyPem: 'hello' })).toThrow('expected an unencrypted PKCS#8 PEM');
    const garbage = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n';
    expect(() => loadOrCreateNotaryKey({ dataDir, privateKeyPem: garbage })).toThrow('not a readable private key');
    const file = path.join(dataDir, DEFAULT_NOTARY_KEY_FILE);
    fs.writeFileSync(file, rsa);
    expect(() => loadOrCreateNotaryKey({ dataDir })).toThrow(`Notary key file ${file}: the notary key must be Ed25519`);
  });

  it('never overwrites a key file that appears while generating', () => {
    const file = path.join(dataDir, DEFAULT_NOTARY_KEY_FILE);
    const existsSync = jest.requireActual<typeof import('node:fs')>('node:fs').existsSync;
    // Another process wins the race between the existence check and the write.
    jest.mocked(fs.existsSync).mockImplementationOnce((target) => {
      const result = existsSync(target);
      fs.writeFileSync(file, rfcPem(), { mode: 0o600 });
      return result;
    });
    const loaded = loadOrCreateNotaryKey({ dataDir });
    expect(jest.mocked(fs.existsSync)).toHaveBeenCalledWith(file);
    expect(loaded).toMatchObject({ created: false, source: 'file' });
    expect(loaded.key.keyId).toBe(RFC_KEY_ID);
    expect(fs.readFileSync(file, 'utf8')).toBe(rfcPem());
    expect(fs.readdirSync(dataDir)).toEqual([DEFAULT_NOTARY_KEY_FILE]);
  });

  it('derives keyId from the DER SubjectPublicKeyInfo', () => {
    const key = createPublicKey({ key: Buffer.from(SPKI_PREFIX + RFC8032_PUBLIC, 'hex'), format: 'der', type: 'spki' });
    expect(keyIdOf(key)).toBe(RFC_KEY_ID);
    expect(keyIdOf(createPrivateKey(rfcPem()))).toBe(RFC_KEY_ID);
    expect(RFC_KEY_ID).toMatch(/^[0-9a-f]{64}$/);
  });

  it('publishes the RFC 8037 JWK of the key and reads it back', () => {
    const jwk = publicJwk(createPrivateKey(rfcPem()));
    // RFC 8037 Appendix A.2: the x of this key.
    expect(jwk).toEqual({
      kty: 'OKP',
      crv: 'Ed25519',
      x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
      kid: RFC_KEY_ID,
      use: 'sig',
      alg: 'EdDSA',
    });
    const back = publicKeyFromJwk(jwk);
    expect(back.export({ type: 'spki', format: 'der' }).toString('hex')).toBe(SPKI_PREFIX + RFC8032_PUBLIC);
  });

  it('builds a JWK Set with each key once', () => {
    const a = generateNotaryKey();
    const b = generateNotaryKey();
    const set = jwksOf([a.publicKey, b.privateKey, a.privateKey]);
    expect(set.keys.map((k) => k.kid)).toEqual([a.keyId, b.keyId]);
    expect(jwksOf([])).toEqual({ keys: [] });
  });

  it('rejects JWKs that are not Ed25519 public keys or carry a wrong kid', () => {
    const jwk = publicJwk(generateNotaryKey().publicKey);
    expect(() => publicKeyFromJwk({ ...jwk, kid: RFC_KEY_ID })).toThrow(`JWK kid ${RFC_KEY_ID} does not match its key`);
    expect(() => publicKeyFromJwk({ ...jwk, crv: 'X25519' })).toThrow('not an Ed25519 key');
    expect(() => publicKeyFromJwk({ ...jwk, x: jwk.x.slice(1) })).toThrow('not a base64url 32-byte key');
    expect(() => publicKeyFromJwk({ ...jwk, alg: 'ES256' })).toThrow('JWK alg ES256 is not EdDSA');
    expect(() => publicKeyFromJwk(null)).toThrow('JWK must be an object');
    const { kid: _kid, use: _use, alg: _alg, ...bare } = jwk;
    expect(keyIdOf(publicKeyFromJwk(bare))).toBe(jwk.kid);
  });
});
