import {
  AMENDABLE_FIELDS,
  Assertions,
  ClaimCorrectedData,
  ClaimMadeData,
  EntryChanges,
  PointInTime,
  Source,
  Statement,
  applyAssertionChanges,
  applyEntryChanges,
} from '@ledger/domain';
import { EntryMeta } from './envelope';

/**
 * What one event of a claim stated, as the ledger now has it (its own ledger
 * amendments applied): ClaimMade is version 1 with the full content, each
 * ClaimCorrected carries only what it replaces. Kept as stated so that an
 * amendment of an old version can be replayed through the later ones.
 */
export interface ClaimVersionEntry extends EntryMeta {
  version: number;
  kind: 'made' | 'corrected';
  statement?: Statement;
  assertions: Assertions;
  statedAt: PointInTime;
  source: Source;
  reason?: string;
  amendedBy: string[];
}

/** A claim as it read at one version: every earlier version folded in. */
export interface ResolvedClaim {
  version: number;
  statement: Statement;
  assertions: Assertions;
  statedAt: PointInTime;
  source: Source;
}

export const madeEntry = (data: ClaimMadeData, meta: EntryMeta): ClaimVersionEntry => ({
  version: 1,
  kind: 'made',
  statement: data.statement,
  assertions: data.assertions,
  statedAt: data.statedAt,
  source: data.source,
  amendedBy: [],
  ...meta,
});

export const correctedEntry = (data: ClaimCorrectedData, meta: EntryMeta): ClaimVersionEntry => ({
  version: data.version,
  kind: 'corrected',
  ...(data.statement ? { statement: data.statement } : {}),
  assertions: data.assertions ?? {},
  statedAt: data.statedAt,
  source: data.source,
  reason: data.reason,
  amendedBy: [],
  ...meta,
});

/**
 * Applies a ledger amendment of a claim version with the domain's rule: each
 * amended key replaces the entry's value wholesale, `assertions` included
 * (an amendment restates what should have been transcribed).
 */
export const amendEntry = (entry: ClaimVersionEntry, changes: EntryChanges, amendmentId: string): ClaimVersionEntry => {
  const claimChanges: EntryChanges = {};
  for (const key of AMENDABLE_FIELDS.claim) if (changes[key] !== undefined) Object.assign(claimChanges, { [key]: changes[key] });
  return { ...applyEntryChanges(entry, claimChanges), amendedBy: [...entry.amendedBy, amendmentId] };
};

/** Every version of a claim in resolved form, oldest first. Entries must start with the 'made' entry. */
export const resolveVersions = (entries: ClaimVersionEntry[]): ResolvedClaim[] => {
  const resolved: ResolvedClaim[] = [];
  for (const entry of [...entries].sort((a, b) => a.version - b.version)) {
    const prev = resolved[resolved.length - 1];
    resolved.push({
      version: entry.version,
      statement: entry.statement ?? prev?.statement ?? { text: '', verbatim: false },
      assertions: applyAssertionChanges(prev?.assertions ?? {}, entry.assertions),
      statedAt: entry.statedAt,
      source: entry.source,
    });
  }
  return resolved;
};

export const resolveCurrent = (entries: ClaimVersionEntry[]): ResolvedClaim => {
  const all = resolveVersions(entries);
  return all[all.length - 1];
};
