import { createPrivateKey } from 'node:crypto';
import { type NotaryKey, notaryKeyFromPrivateKey } from '@ledger/integrity';
import type { LedgerDatabase } from './ledger-database';

export interface SharedNotaryKey {
  key: NotaryKey;
  /** True on the replica whose candidate became the shared key. */
  created: boolean;
}

/**
 * The notary key replicas share when none is configured: the first replica to start stores its candidate
 * (INSERT … ON CONFLICT DO NOTHING), and every replica, that one included, signs with the row that won. A second
 * key would make every checkpoint signed by the other replicas `unknown-signing-key` on this one.
 */
export async function sharedNotaryKey(db: LedgerDatabase, candidate: () => NotaryKey): Promise<SharedNotaryKey> {
  const table = db.table('notary_key');
  const existing = await readKey(db, table);
  if (existing) return { key: existing, created: false };
  const offered = candidate();
  const pem = offered.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const { rowCount } = await db.pool.query(`INSERT INTO ${table} (key_id, private_key_pem) VALUES ($1, $2) ON CONFLICT (singleton) DO NOTHING`, [offered.keyId, pem]);
  const stored = await readKey(db, table);
  if (!stored) throw new Error(`${table} holds no key right after one was stored`);
  return { key: stored, created: rowCount === 1 && stored.keyId === offered.keyId };
}

async function readKey(db: LedgerDatabase, table: string): Promise<NotaryKey | undefined> {
  const { rows } = await db.pool.query<{ key_id: string; private_key_pem: string }>(`SELECT key_id, private_key_pem FROM ${table}`);
  if (!rows[0]) return undefined;
  const key = notaryKeyFromPrivateKey(createPrivateKey({ key: rows[0].private_key_pem, format: 'pem' }));
  // A hand-edited row must not sign under another key's name.
  if (key.keyId !== rows[0].key_id) throw new Error(`${table}: the stored key_id ${rows[0].key_id} is not the id of the stored key (${key.keyId})`);
  return key;
}
