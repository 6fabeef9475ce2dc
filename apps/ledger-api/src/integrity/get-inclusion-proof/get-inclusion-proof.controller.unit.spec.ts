import type { EventStore, RecordedEvent } from '@ledger/event-store';
import type { SignedCheckpoint } from '@ledger/integrity';
import { ProblemException } from '../../platform/problem/problem.exception';
import type { LeafLocation, NotaryService } from '../notary.service';
import { GetInclusionProofController } from './get-inclusion-proof.controller';

const WANTED = '0b7e8c52-2a4d-5c1e-9f3a-6d2b1c0e9a87';
const OTHER = '5d1f6a0b-7c3e-5b2d-8e4f-1a9c0b3d7e65';

const eventIn = (streamName: string, revision: bigint, eventId: string, position: bigint): RecordedEvent =>
  ({ eventId, streamName, revision, position, type: 'ClaimMade.v3', data: {}, metadata: {}, recordedAt: new Date(0) }) as unknown as RecordedEvent;

/** A notary whose hash of event ids names two leaves for WANTED: another event's first, then its own. */
const controllerWith = (candidates: LeafLocation[], treeSize: number) => {
  const checkpoint = { treeSize, lastPosition: '100' } as unknown as SignedCheckpoint;
  const notary = {
    checkpointOfSize: async () => ({ checkpoint, near: { below: null, above: null } }),
    caughtUpTo: async () => undefined,
    candidates: (eventId: string) => (eventId === WANTED ? candidates : []),
    inclusionProof: (leafIndex: number) => [Buffer.alloc(32, leafIndex)],
  } as unknown as NotaryService;
  const events = new Map<string, RecordedEvent>([
    ['incident-a@2', eventIn('incident-a', 2n, OTHER, 10n)],
    ['incident-b@5', eventIn('incident-b', 5n, WANTED, 20n)],
  ]);
  const store = {
    readStream: async (streamName: string, { fromRevision }: { fromRevision: bigint }) => {
      const event = events.get(`${streamName}@${fromRevision}`);
      return event ? [event] : [];
    },
  } as unknown as EventStore;
  return new GetInclusionProofController(notary, store);
};

const other: LeafLocation = { leafIndex: 3, streamName: 'incident-a', revision: 2n, position: 10n };
const own: LeafLocation = { leafIndex: 8, streamName: 'incident-b', revision: 5n, position: 20n };

describe('GET /integrity/proofs/inclusion with event ids that hash alike', () => {
  it('proves the leaf whose event has the id, not the first leaf named', async () => {
    const bundle = await controllerWith([other, own], 10).prove({ eventId: WANTED });
    expect(bundle.leafIndex).toBe(8);
    expect(bundle.event.eventId).toBe(WANTED);
    expect(bundle.position).toBe('20');
    expect(bundle.auditPath).toEqual([Buffer.alloc(32, 8).toString('hex')]);
  });

  it('answers 404 not-found when no leaf named holds the id', async () => {
    const error = await controllerWith([other], 10).prove({ eventId: WANTED }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProblemException);
    expect((error as ProblemException).getStatus()).toBe(404);
    expect((error as ProblemException).code).toBe('not-found');
  });

  it('answers 404 not-in-checkpoint for the event found past the checkpoint', async () => {
    const error = await controllerWith([other, own], 8).prove({ eventId: WANTED }).catch((e: unknown) => e);
    expect((error as ProblemException).getStatus()).toBe(404);
    expect((error as ProblemException).code).toBe('not-in-checkpoint');
  });
});

describe('GET /integrity/proofs/inclusion while the notary starts over', () => {
  it('takes the path only once the notary holds the checkpoint again, not from a tree it is still rebuilding', async () => {
    const checkpoint = { treeSize: 10, lastPosition: '100' } as unknown as SignedCheckpoint;
    let rebuilt = true;
    const notary = {
      checkpointOfSize: async () => ({ checkpoint, near: { below: null, above: null } }),
      caughtUpTo: async () => {
        rebuilt = true;
      },
      candidates: () => [own],
      inclusionProof: (leafIndex: number, treeSize: number) => {
        if (!rebuilt) throw new RangeError(`Tree size ${treeSize} is not within 0..3`);
        return [Buffer.alloc(32, leafIndex)];
      },
    } as unknown as NotaryService;
    const store = {
      // Its subscription failed while the event was read: the notary starts over from an empty tree.
      readStream: async () => {
        rebuilt = false;
        return [eventIn('incident-b', 5n, WANTED, 20n)];
      },
    } as unknown as EventStore;
    const bundle = await new GetInclusionProofController(notary, store).prove({ eventId: WANTED });
    expect(bundle.auditPath).toEqual([Buffer.alloc(32, 8).toString('hex')]);
  });
});
