import type { Assertions, AssertionField, Disagreement, Estimate, PartyVersion, PointInTime, TimeInterval } from './api-types';

/** The parties × assertions matrix of one incident, as a page or a test reads it. */
export interface MatrixCell {
  field: AssertionField;
  /** What the party holds, in words; `said` false when it asserted nothing on the point. */
  text: string;
  said: boolean;
  claimId?: string;
  version?: number;
  /** Another party holds something else on this point. */
  disputed: boolean;
  /** Parties that deny the claim this cell rests on, on this point. */
  deniedBy: string[];
}

export interface MatrixRow {
  partyId: string;
  cells: MatrixCell[];
  /** Claims of other parties this party denies. */
  denies: { claimId: string; claimPartyId: string; fields: AssertionField[] }[];
}

/** The part of a versions document the matrix reads (the present one or an as-of one). */
export interface VersionsLike {
  parties: PartyVersion[];
  disagreements: Disagreement[];
}

export type NameOf = (partyId: string) => string;

export const MATRIX_COLUMNS: readonly { field: AssertionField; label: string }[] = [
  { field: 'responsibleParties', label: 'Who is responsible' },
  { field: 'ceasefire', label: 'Ceasefire' },
  { field: 'casualties', label: 'Casualties (best, low–high)' },
  { field: 'occurred', label: 'When' },
  { field: 'location', label: 'Where' },
];

/** Said nothing on a point and named nobody are different answers: each has its own words. */
export const SAID_NOTHING = 'said nothing';
export const NAMED_NOBODY = 'named nobody';

export const formatEstimate = (e: Estimate | undefined): string | undefined => {
  if (!e) return undefined;
  const range = e.low !== undefined || e.high !== undefined ? ` (${e.low ?? '?'}–${e.high ?? '?'})` : '';
  return `${e.best}${range}`;
};

export const formatPoint = (p: PointInTime): string => (p.precision === 'exact' ? p.at : `${p.at} (${p.precision})`);

export const formatInterval = (i: TimeInterval): string => `${i.from === i.to ? i.from : `${i.from} to ${i.to}`} (${i.precision})`;

const names = (ids: readonly string[], nameOf: NameOf): string => (ids.length === 0 ? NAMED_NOBODY : ids.map(nameOf).join(', '));

/** One assertion in words. */
export const describeAssertion = <F extends AssertionField>(field: F, value: NonNullable<Assertions[F]>, nameOf: NameOf): string => {
  switch (field) {
    case 'responsibleParties':
      return names(value as string[], nameOf);
    case 'ceasefire': {
      const c = value as NonNullable<Assertions['ceasefire']>;
      if (!c.violated) return 'not violated';
      return c.by && c.by.length > 0 ? `violated by ${names(c.by, nameOf)}` : 'violated';
    }
    case 'casualties': {
      const reports = value as NonNullable<Assertions['casualties']>;
      if (reports.length === 0) return 'none reported';
      return reports
        .map((r) => {
          const parts = [
            r.killed ? `${formatEstimate(r.killed)} killed` : undefined,
            r.wounded ? `${formatEstimate(r.wounded)} wounded` : undefined,
            r.named && r.named.length > 0 ? r.named.map((n) => `${n.name}${n.role ? `, ${n.role}` : ''} (${n.status})`).join('; ') : undefined,
          ].filter(Boolean);
          const group = [r.side !== undefined ? nameOf(r.side) : undefined, r.category, r.nationality].filter(Boolean).join(' ');
          return `${group || 'no side'}: ${parts.join(', ') || 'no figure'}`;
        })
        .join(' · ');
    }
    case 'occurred':
      return formatInterval(value as TimeInterval);
    case 'location': {
      const p = value as NonNullable<Assertions['location']>;
      const at = p.coordinates ? ` [${p.coordinates.lat.toFixed(3)}, ${p.coordinates.lon.toFixed(3)}]` : '';
      return `${p.name} (${p.precision})${at}`;
    }
    default:
      return JSON.stringify(value);
  }
};

/** Builds the matrix from a versions document: each party's current account, the disagreements and the denials. */
export const buildMatrix = (doc: VersionsLike, nameOf: NameOf): MatrixRow[] => {
  const disputed = new Set<string>();
  const deniedBy = new Map<string, string[]>();
  for (const d of doc.disagreements) {
    if (d.kind === 'denial') {
      const claimant = d.positions.find((p) => p.role === 'claimant');
      const deniers = d.positions.filter((p) => p.role === 'denier').map((p) => p.partyId);
      const fields = d.deniedAssertions && d.deniedAssertions.length > 0 ? d.deniedAssertions : [...MATRIX_COLUMNS.map((c) => c.field)];
      if (!claimant) continue;
      for (const field of fields) {
        const key = `${claimant.partyId}|${claimant.claimId}|${field}`;
        deniedBy.set(key, [...new Set([...(deniedBy.get(key) ?? []), ...deniers])]);
      }
    } else {
      for (const p of d.positions) disputed.add(`${p.partyId}|${d.field}`);
    }
  }
  return doc.parties.map((party) => {
    const account = party.currentAccount as Record<string, { value: unknown; claimId: string } | undefined>;
    const cells = MATRIX_COLUMNS.map(({ field }): MatrixCell => {
      const held = account[field];
      if (!held) return { field, text: SAID_NOTHING, said: false, disputed: false, deniedBy: [] };
      const claim = party.claims.find((c) => c.claimId === held.claimId);
      return {
        field,
        text: describeAssertion(field, held.value as never, nameOf),
        said: true,
        claimId: held.claimId,
        version: claim?.version,
        disputed: disputed.has(`${party.partyId}|${field}`),
        deniedBy: (deniedBy.get(`${party.partyId}|${held.claimId}|${field}`) ?? []).filter((id) => id !== party.partyId),
      };
    });
    const denies = party.denialsMade
      .filter((d) => d.active)
      .map((d) => ({ claimId: d.claimId, claimPartyId: d.claimPartyId, fields: d.deniedAssertions as AssertionField[] }));
    return { partyId: party.partyId, cells, denies };
  });
};
