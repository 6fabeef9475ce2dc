import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore } from '@ledger/event-store';
import { generateNotaryKey } from '@ledger/integrity';
import { InlineLedgerVerifier } from '@ledger/read-models';
import type { NotaryService } from '../notary.service';
import { VerifyLedgerController } from './verify-ledger.controller';

describe('GET /integrity/verify', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'verify-ledger-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('answers whoever asks while a verify runs with that verify\'s report: one walk of the log, not one each', async () => {
    let walks = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const store = {
      headPosition: async () => 0n,
      readAll: async ({ fromPosition = 0n }: { fromPosition?: bigint } = {}) => {
        if (fromPosition === 0n) {
          walks++;
          await gate;
        }
        return [];
      },
      readStream: async () => [],
    } as unknown as EventStore;
    const controller = new VerifyLedgerController({ key: generateNotaryKey() } as unknown as NotaryService, new InlineLedgerVerifier(store, dir));

    const first = controller.verify();
    const second = controller.verify();
    expect(second).toBe(first);
    release();
    expect(await second).toMatchObject({ ok: true, events: 0 });

    // Once it has answered, the next request walks the log again.
    await controller.verify();
    expect(walks).toBe(2);
  });
});
