import {
  KeyObject,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
} from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The key the notary signs checkpoints with. `keyId` names it in checkpoints and in the published JWK Set. */
export interface NotaryKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  keyId: string;
}

export type NotaryKeySource = 'config' | 'file' | 'generated';

export interface LoadNotaryKeyOptions {
  dataDir: string;
  /** An existing PKCS#8 PEM file; unlike the default location it is never created. */
  keyFile?: string;
  /** PKCS#8 PEM text, e.g. from a secret store; wins over both files. */
  privateKeyPem?: string;
}

export interface LoadedNotaryKey {
  key: NotaryKey;
  created: boolean;
  source: NotaryKeySource;
}

/** RFC 8037 public key, as published for auditors. */
export interface Ed25519PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  use: 'sig';
  alg: 'EdDSA';
}

export interface JwkSet {
  keys: Ed25519PublicJwk[];
}

export const DEFAULT_NOTARY_KEY_FILE = 'notary-ed25519.pem';

const PKCS8_LABEL = /-----BEGIN PRIVATE KEY-----[\s\S]+-----END PRIVATE KEY-----/;

const asPublic = (key: KeyObject): KeyObject => (key.type === 'private' ? createPublicKey(key) : key);

const requireEd25519 = (key: KeyObject, where: string): void => {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(`${where}: the notary key must be Ed25519, got ${key.asymmetricKeyType ?? key.type}`);
  }
};

/** Lowercase hex SHA-256 of the DER SubjectPublicKeyInfo: stable across PEM/JWK re-encodings of the same key. */
export const keyIdOf = (publicKey: KeyObject): string => {
  const key = asPublic(publicKey);
  return createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex');
};

export const notaryKeyFromPrivateKey = (privateKey: KeyObject): NotaryKey => {
  if (privateKey.type !== 'private') throw new Error('A notary key needs the private key');
  requireEd25519(privateKey, 'notary key');
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
};

/** A fresh in-memory key, for tests and tools; the service goes through loadOrCreateNotaryKey. */
export const generateNotaryKey = (): NotaryKey => notaryKeyFromPrivateKey(generateKeyPairSync('ed25519').privateKey);

const parsePrivateKeyPem = (pem: string, where: string): NotaryKey => {
  // Secrets passed through environment variables often arrive with their newlines escaped.
  const text = !pem.includes('\n') && pem.includes('\\n') ? pem.replace(/\\n/g, '\n') : pem;
  if (!PKCS8_LABEL.test(text)) {
    throw new Error(`${where}: expected an unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----")`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: text, format: 'pem' });
  } catch (error) {
    throw new Error(`${where}: not a readable private key (${(error as Error).message})`);
  }
  requireEd25519(privateKey, where);
  return notaryKeyFromPrivateKey(privateKey);
};

const readKeyFile = (file: string): NotaryKey => {
  let pem: string;
  try {
    pem = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`Notary key file ${file} cannot be read${code ? ` (${code})` : ''}`);
  }
  return parsePrivateKeyPem(pem, `Notary key file ${file}`);
};

/**
 * Publishes `content` at `target` only if nothing is there yet, all at once: a crash leaves either no key or a
 * whole one, and a second process starting at the same moment keeps the first one's key instead of replacing it
 * (which would orphan every checkpoint already signed). Returns false when a file already existed.
 */
const writeNewFileAtomically = (target: string, content: string): boolean => {
  const temp = `${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = fs.openSync(temp, 'wx', 0o600);
  try {
    fs.writeFileSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    // link(2) fails with EEXIST instead of replacing, which rename(2) would silently do.
    fs.linkSync(temp, target);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw error;
    // File systems without hard links: the best available is check-then-rename.
    if (fs.existsSync(target)) return false;
    fs.renameSync(temp, target);
    return true;
  } finally {
    fs.rmSync(temp, { force: true });
  }
};

/** The key an operator gave (PEM text, or a key file of their choosing), if any; never creates one. */
export const configuredNotaryKey = (options: Omit<LoadNotaryKeyOptions, 'dataDir'>): LoadedNotaryKey | undefined => {
  if (options.privateKeyPem !== undefined && options.privateKeyPem.trim() !== '') {
    return { key: parsePrivateKeyPem(options.privateKeyPem, 'Configured notary private key'), created: false, source: 'config' };
  }
  if (options.keyFile !== undefined && options.keyFile !== '') {
    return { key: readKeyFile(options.keyFile), created: false, source: 'file' };
  }
  return undefined;
};

/** The key file at the default place in `dataDir`, if one is there. */
export const existingDefaultNotaryKey = (dataDir: string): NotaryKey | undefined => {
  const file = path.join(dataDir, DEFAULT_NOTARY_KEY_FILE);
  return fs.existsSync(file) ? readKeyFile(file) : undefined;
};

export const loadOrCreateNotaryKey = (options: LoadNotaryKeyOptions): LoadedNotaryKey => {
  const configured = configuredNotaryKey(options);
  if (configured) return configured;
  const file = path.join(options.dataDir, DEFAULT_NOTARY_KEY_FILE);
  const existing = existingDefaultNotaryKey(options.dataDir);
  if (existing) return { key: existing, created: false, source: 'file' };

  fs.mkdirSync(options.dataDir, { recursive: true });
  const generated = generateNotaryKey();
  const pem = generated.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  if (!writeNewFileAtomically(file, pem)) return { key: readKeyFile(file), created: false, source: 'file' };
  return { key: generated, created: true, source: 'generated' };
};

export const publicJwk = (publicKey: KeyObject): Ed25519PublicJwk => {
  const key = asPublic(publicKey);
  requireEd25519(key, 'JWK export');
  const { x } = key.export({ format: 'jwk' });
  if (typeof x !== 'string') throw new Error('JWK export: Ed25519 key without an x coordinate');
  return { kty: 'OKP', crv: 'Ed25519', x, kid: keyIdOf(key), use: 'sig', alg: 'EdDSA' };
};

/** Accepts private keys too (their public halves are published); the same key listed twice appears once. */
export const jwksOf = (keys: readonly KeyObject[]): JwkSet => {
  const seen = new Set<string>();
  const jwks: Ed25519PublicJwk[] = [];
  for (const key of keys) {
    const jwk = publicJwk(key);
    if (!seen.has(jwk.kid)) {
      seen.add(jwk.kid);
      jwks.push(jwk);
    }
  }
  return { keys: jwks };
};

const BASE64URL_32_BYTES = /^[A-Za-z0-9_-]{43}$/;

/** Rejects anything but an Ed25519 OKP key, and a `kid` that is not this key's id (a mislabelled key). */
export const publicKeyFromJwk = (jwk: unknown): KeyObject => {
  if (typeof jwk !== 'object' || jwk === null) throw new Error('JWK must be an object');
  const { kty, crv, x, kid, alg, use } = jwk as Record<string, unknown>;
  if (kty !== 'OKP' || crv !== 'Ed25519') throw new Error(`JWK is not an Ed25519 key (kty ${String(kty)}, crv ${String(crv)})`);
  if (typeof x !== 'string' || !BASE64URL_32_BYTES.test(x)) throw new Error('JWK x is not a base64url 32-byte key');
  if (alg !== undefined && alg !== 'EdDSA') throw new Error(`JWK alg ${String(alg)} is not EdDSA`);
  if (use !== undefined && use !== 'sig') throw new Error(`JWK use ${String(use)} is not sig`);
  const key = createPublicKey({ key: { kty, crv, x }, format: 'jwk' });
  if (kid !== undefined && kid !== keyIdOf(key)) throw new Error(`JWK kid ${String(kid)} does not match its key`);
  return key;
};
