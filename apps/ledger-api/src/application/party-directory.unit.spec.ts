import { EventStore } from '@ledger/event-store';
import { PartyDirectory } from './party-directory';

const storeWith = (registered: Set<string>) => {
  const lookups: string[] = [];
  const store = {
    streamRevision: async (stream: string) => {
      lookups.push(stream);
      return registered.has(stream) ? 0n : undefined;
    },
  } as unknown as EventStore;
  return { store, lookups };
};

describe('PartyDirectory', () => {
  it('answers which parties are registered, reading each party stream once', async () => {
    const { store, lookups } = storeWith(new Set(['party-osce', 'party-armenia']));
    const directory = new PartyDirectory(store);
    expect(await directory.registered(['osce', 'nobody', 'armenia', 'osce'])).toEqual(new Set(['osce', 'armenia']));
    expect(lookups.sort()).toEqual(['party-armenia', 'party-nobody', 'party-osce']);
  });

  it('does not read the stream of a party it has seen registered again, since a registration is never undone', async () => {
    const { store, lookups } = storeWith(new Set(['party-osce']));
    const directory = new PartyDirectory(store);
    await directory.registered(['osce']);
    lookups.length = 0;
    expect(await directory.registered(['osce'])).toEqual(new Set(['osce']));
    expect(lookups).toEqual([]);
  });

  it('looks an unknown party up again next time: it may have been registered since, by any process', async () => {
    const registered = new Set<string>();
    const { store, lookups } = storeWith(registered);
    const directory = new PartyDirectory(store);
    expect(await directory.registered(['latecomer'])).toEqual(new Set());
    registered.add('party-latecomer');
    expect(await directory.registered(['latecomer'])).toEqual(new Set(['latecomer']));
    expect(lookups).toEqual(['party-latecomer', 'party-latecomer']);
  });
});
