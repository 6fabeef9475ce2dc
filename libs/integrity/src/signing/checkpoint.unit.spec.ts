import { createPrivateKey, sign } from 'node:crypto';
import {
  CheckpointBody,
  SignedCheckpoint,
  checkpointSigningInput,
  isCheckpointBody,
  isSignedCheckpoint,
  signCheckpoint,
  verifyCheckpointSignature,
} from './checkpoint';
import { generateNotaryKey, notaryKeyFromPrivateKey } from './notary-key';

// The RFC 8032 §7.1 TEST 1 key, so the signature below is a fixed value.
const rfcKey = notaryKeyFromPrivateKey(
  createPrivateKey({
    key: Buffer.from('302e020100300506032b657004220420' + '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex'),
    format: 'der',
    type: 'pkcs8',
  }),
);

const body = (overrides: Partial<CheckpointBody> = {}): CheckpointBody => ({
  origin: 'incident-ledger.test',
  treeSize: 3,
  rootHash: 'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  lastPosition: '1234',
  timestamp: '2025-01-02T03:04:05.000Z',
  keyId: rfcKey.keyId,
  streamHeads: [{ stream: 'incident-1', revision: '2', hash: '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d' }],
  ...overrides,
});

/*
 * Independently checked: `openssl pkeyutl -verify -pubin -rawin` accepts this signature over CANONICAL with the RFC
 * 8032 public key, and `openssl dgst -sha256` of its DER SPKI gives the keyId.
 */
const CANONICAL =
  '{"keyId":"06e3fd8fda29bb60ab59557de61edb0aecdb231134be30e75b455f8e1b792fa9","lastPosition":"1234",' +
  '"origin":"incident-ledger.test","rootHash":"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",' +
  '"streamHeads":[{"hash":"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d","revision":"2",' +
  '"stream":"incident-1"}],"timestamp":"2025-01-02T03:04:05.000Z","treeSize":3}';
const SIGNATURE = 'KR4hAbf58fL+SRbtPnsAtmDzNItwxHpG+YmzhfL08oUrKPJUhlOgccp8EwUm68saT6VTI3o1AX82KZnobednBw==';

const flipSignatureByte = (cp: SignedCheckpoint, index: number): SignedCheckpoint => {
  const bytes = Buffer.from(cp.signature, 'base64');
  bytes[index] ^= 0x01;
  return { ...cp, signature: bytes.toString('base64') };
};

describe('checkpoints', () => {
  it('signs the RFC 8785 canonical JSON of the body', () => {
    expect(rfcKey.keyId).toBe('06e3fd8fda29bb60ab59557de61edb0aecdb231134be30e75b455f8e1b792fa9');
    expect(checkpointSigningInput(body()).toString('utf8')).toBe(CANONICAL);
    const signed = signCheckpoint(body(), rfcKey);
    expect(signed).toEqual({ ...body(), signature: SIGNATURE });
    expect(isSignedCheckpoint(signed)).toBe(true);
    expect(verifyCheckpointSignature(signed, rfcKey.publicKey)).toBe(true);
  });

  it('leaves the signature out of the signing input and replaces it when re-signing', () => {
    const signed = signCheckpoint(body(), rfcKey);
    expect(checkpointSigningInput(signed).toString('utf8')).toBe(CANONICAL);
    expect(signCheckpoint({ ...signed, signature: 'stale' } as SignedCheckpoint, rfcKey).signature).toBe(SIGNATURE);
  });

  it('signs an empty tree', () => {
    const empty = body({
      treeSize: 0,
      rootHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      lastPosition: '0',
      streamHeads: [],
    });
    expect(verifyCheckpointSignature(signCheckpoint(empty, rfcKey), rfcKey.publicKey)).toBe(true);
  });

  it('refuses to sign with a key the body does not name, or a malformed body', () => {
    const other = generateNotaryKey();
    expect(() => signCheckpoint(body(), other)).toThrow(`Checkpoint names key ${rfcKey.keyId} but is being signed with key ${other.keyId}`);
    expect(() => signCheckpoint(body({ rootHash: 'ABC' }), rfcKey)).toThrow(TypeError);
    expect(() => signCheckpoint(body({ treeSize: -1 }), rfcKey)).toThrow(TypeError);
    expect(() => signCheckpoint(body({ lastPosition: '007' }), rfcKey)).toThrow(TypeError);
  });

  it('rejects every change to a signed checkpoint', () => {
    const signed = signCheckpoint(body(), rfcKey);
    const altered: Array<[string, unknown]> = [
      ['treeSize', { ...signed, treeSize: 4 }],
      ['rootHash', { ...signed, rootHash: 'f'.repeat(64) }],
      ['lastPosition', { ...signed, lastPosition: '1235' }],
      ['timestamp', { ...signed, timestamp: '2025-01-02T03:04:06.000Z' }],
      ['origin', { ...signed, origin: 'elsewhere' }],
      ['stream head', { ...signed, streamHeads: [{ ...signed.streamHeads[0], revision: '3' }] }],
      ['dropped stream head', { ...signed, streamHeads: [] }],
      ['added field', { ...signed, note: 'unsigned' }],
      ['first signature byte', flipSignatureByte(signed, 0)],
      ['last signature byte', flipSignatureByte(signed, 63)],
      ['truncated signature', { ...signed, signature: signed.signature.slice(4) }],
      ['no signature', body()],
    ];
    expect(altered.filter(([, cp]) => verifyCheckpointSignature(cp, rfcKey.publicKey)).map(([name]) => name)).toEqual([]);
  });

  it('rejects signatures by another key, and a valid signature under a keyId that is not the signer', () => {
    const other = generateNotaryKey();
    expect(verifyCheckpointSignature(signCheckpoint(body(), rfcKey), other.publicKey)).toBe(false);
    const signedByOther = signCheckpoint(body({ keyId: other.keyId }), other);
    expect(verifyCheckpointSignature(signedByOther, other.publicKey)).toBe(true);
    expect(verifyCheckpointSignature(signedByOther, rfcKey.publicKey)).toBe(false);

    const mislabelled = body({ keyId: other.keyId });
    const signature = sign(null, checkpointSigningInput(mislabelled), rfcKey.privateKey).toString('base64');
    expect(verifyCheckpointSignature({ ...mislabelled, signature }, rfcKey.publicKey)).toBe(false);
  });

  it('never throws on malformed input', () => {
    const signed = signCheckpoint(body(), rfcKey);
    for (const value of [null, undefined, 42, 'checkpoint', [], {}, { ...signed, streamHeads: 'x' }, { ...signed, treeSize: '3' }]) {
      expect(verifyCheckpointSignature(value, rfcKey.publicKey)).toBe(false);
    }
    expect(verifyCheckpointSignature(signed, null as never)).toBe(false);
    expect(verifyCheckpointSignature(signed, {} as never)).toBe(false);
  });

  it('checks the shape of checkpoints', () => {
    const signed = signCheckpoint(body(), rfcKey);
    expect(isCheckpointBody(body())).toBe(true);
    expect(isSignedCheckpoint(body())).toBe(false);
    expect(isSignedCheckpoint({ ...signed, timestamp: 'yesterday' })).toBe(false);
    expect(isSignedCheckpoint({ ...signed, timestamp: '2025-13-45T99:00:00Z' })).toBe(false);
    expect(isSignedCheckpoint({ ...signed, timestamp: '2025-01-02T03:04:05+02:00' })).toBe(true);
    expect(isSignedCheckpoint({ ...signed, treeSize: 1.5 })).toBe(false);
    expect(isSignedCheckpoint({ ...signed, keyId: rfcKey.keyId.toUpperCase() })).toBe(false);
    expect(isSignedCheckpoint({ ...signed, signature: signed.signature.replace(/==$/, '') })).toBe(false);
    expect(isSignedCheckpoint({ ...signed, streamHeads: [{ stream: 'incident-1', revision: 2, hash: signed.rootHash }] })).toBe(false);
    expect(isSignedCheckpoint({ ...signed, origin: '' })).toBe(false);
  });
});
