import type { EventStore, RecordedEvent } from '@ledger/event-store';
import { ClaimOwners, OWNERS_PAGE } from './claim-owners.service';

const STREAM = 'incident-1';

const recorded = (type: string, data: unknown): RecordedEvent =>
  ({ eventId: 'e', type, streamName: STREAM, revision: 0n, position: 1n, data, metadata: {} }) as RecordedEvent;

const storeWith = (events: RecordedEvent[]) => {
  const readStream = jest.fn(async () => events);
  return { store: { readStream } as unknown as EventStore, readStream };
};

describe('ClaimOwners', () => {
  const claim = recorded('ClaimMade.v1', { claimId: 'c-1', partyId: 'p', assertions: {} });
  const denial = recorded('ClaimDenied.v1', { denialId: 'd-1', claimId: 'c-1', partyId: 'q', claimPartyId: 'p' });

  it('answers from what it observed, without reading the store', async () => {
    const { store, readStream } = storeWith([]);
    const owners = new ClaimOwners(store);
    owners.observe(STREAM, claim.type, claim.data);
    owners.observe(STREAM, denial.type, denial.data);
    expect(await owners.partiesOf(STREAM, { claims: ['c-1'], denials: ['d-1'] })).toEqual(['p', 'q', 'p']);
    expect(readStream).not.toHaveBeenCalled();
  });

  it('reads the incident stream once for entries it has not seen, however many ask at the same time', async () => {
    const { store, readStream } = storeWith([claim, denial]);
    const owners = new ClaimOwners(store);
    const answers = await Promise.all([owners.partiesOf(STREAM, { claims: ['c-1'], denials: [] }), owners.partiesOf(STREAM, { claims: [], denials: ['d-1'] })]);
    expect(answers).toEqual([['p'], ['q', 'p']]);
    expect(readStream).toHaveBeenCalledTimes(1);
    expect(readStream).toHaveBeenCalledWith(STREAM, { fromRevision: 0n, maxCount: OWNERS_PAGE });
  });

  it('reads a stream longer than a page a page at a time, and finds the entries of its last page', async () => {
    const events = Array.from({ length: 2 * OWNERS_PAGE + 3 }, (_, i) =>
      Object.assign(recorded('ClaimMade.v1', { claimId: `c-${i}`, partyId: `p-${i % 7}`, assertions: {} }), { revision: BigInt(i) }),
    );
    const readStream = jest.fn(async (_stream: string, { fromRevision = 0n, maxCount = Infinity }: { fromRevision?: bigint; maxCount?: number } = {}) =>
      events.slice(Number(fromRevision), Number(fromRevision) + maxCount),
    );
    const owners = new ClaimOwners({ readStream } as unknown as EventStore);
    expect(await owners.partiesOf(STREAM, { claims: ['c-0', `c-${events.length - 1}`], denials: [] })).toEqual(['p-0', `p-${(events.length - 1) % 7}`]);
    expect(readStream.mock.calls.map(([, options]) => options)).toEqual([0, 1, 2].map((page) => ({ fromRevision: BigInt(page * OWNERS_PAGE), maxCount: OWNERS_PAGE })));
  });

  it('remembers an entry the stream does not have as nobody\'s, so that it is not read again each time', async () => {
    const { store, readStream } = storeWith([claim]);
    const owners = new ClaimOwners(store);
    expect(await owners.partiesOf(STREAM, { claims: ['missing'], denials: [] })).toEqual([]);
    expect(await owners.partiesOf(STREAM, { claims: ['missing'], denials: [] })).toEqual([]);
    expect(readStream).toHaveBeenCalledTimes(1);
  });

  it('lets a store failure through (the caller retries), and reads again next time', async () => {
    const readStream = jest.fn().mockRejectedValueOnce(new Error('down')).mockResolvedValueOnce([claim]);
    const owners = new ClaimOwners({ readStream } as unknown as EventStore);
    await expect(owners.partiesOf(STREAM, { claims: ['c-1'], denials: [] })).rejects.toThrow('down');
    expect(await owners.partiesOf(STREAM, { claims: ['c-1'], denials: [] })).toEqual(['p']);
  });
});
