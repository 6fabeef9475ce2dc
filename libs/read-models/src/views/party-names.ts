import { Assertions, partiesReferencedBy } from '@ledger/domain';
import { partiesTable } from '../tables/ledger.tables';
import { TableAccess } from '../tables/table-spec';

/** Party id -> registered name (null while the party is only named by entries), for the ids a document mentions. */
export type PartyNames = Record<string, string | null>;

/**
 * Looks names up by key, each id once per document: a view that names parties beside their ids pays one primary-key
 * read per distinct party it mentions, never a scan.
 */
export class PartyNameLookup {
  private readonly names = new Map<string, string | null>();

  constructor(private readonly t: TableAccess) {}

  nameOf(partyId: string): string | null {
    if (!this.names.has(partyId)) this.names.set(partyId, this.t.get(partiesTable, { partyId })?.name ?? null);
    return this.names.get(partyId)!;
  }

  /** The name, or the id where the party is not registered: for sentences. */
  label(partyId: string): string {
    return this.nameOf(partyId) ?? partyId;
  }

  /** Also looks up every party the assertions name (responsible parties, ceasefire violators, casualty sides). */
  mention(assertions: Assertions | null | undefined): void {
    if (assertions) for (const ref of partiesReferencedBy(assertions)) this.nameOf(ref.partyId);
  }

  /** Every name looked up so far, by id in sorted order. */
  all(): PartyNames {
    return Object.fromEntries([...this.names.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
}

/**
 * Fills the names of a document folded from an incident's stream alone (time travel), whose own party table is empty:
 * every `partyName` beside a `partyId`, every `claimPartyName` beside a `claimPartyId`, and the `partyNames` map,
 * from `nameOf` (the live registry: parties are never renamed, so today's name is the name at any earlier moment).
 * Changes the document in place and returns it.
 */
export const fillPartyNames = <T>(doc: T, nameOf: (partyId: string) => string | null): T => {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (typeof record.partyId === 'string' && 'partyName' in record && record.partyName === null) record.partyName = nameOf(record.partyId);
    if (typeof record.claimPartyId === 'string' && 'claimPartyName' in record && record.claimPartyName === null) record.claimPartyName = nameOf(record.claimPartyId);
    for (const [key, value] of Object.entries(record)) {
      if (key === 'partyNames' && value !== null && typeof value === 'object') {
        const names = value as PartyNames;
        for (const id of Object.keys(names)) names[id] ??= nameOf(id);
      } else visit(value);
    }
  };
  visit(doc);
  return doc;
};
