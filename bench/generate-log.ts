/**
 * A synthetic but realistic ledger log for benchmarks: parties registered
 * first, then incidents, a handful open at once so that their events
 * interleave, each with claims, denials, corrections, retractions and ledger
 * amendments. A few parties speak about most incidents, as in a real conflict,
 * so their records grow with the log; many others appear now and then.
 * Deterministic for a given size and seed.
 */
import { AssertionField, Assertions, EntryRef, ACLED_EVENT_TYPES, LedgerEvent, PartyKind, Source, incidentStream, partyStream } from '@ledger/domain';

/** Small deterministic PRNG (mulberry32), so every run writes the same log. */
const prng = (seed: number) => {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    chance: (p: number): boolean => next() < p,
    int: (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)],
  };
};
type Rng = ReturnType<typeof prng>;

/** The parties of a long conflict: a few speak about nearly every incident, many only now and then. */
const MAJOR: Array<{ partyId: string; name: string; kind: PartyKind; weight: number }> = [
  { partyId: 'azerbaijan-defence-ministry', name: 'Ministry of Defence of Azerbaijan', kind: 'armed-force', weight: 0.9 },
  { partyId: 'karabakh-defense-army', name: 'Defense Army of Nagorno-Karabakh', kind: 'armed-force', weight: 0.85 },
  { partyId: 'armenia-defence-ministry', name: 'Ministry of Defence of Armenia', kind: 'armed-force', weight: 0.6 },
  { partyId: 'azerbaijan-foreign-ministry', name: 'Ministry of Foreign Affairs of Azerbaijan', kind: 'government-body', weight: 0.5 },
  { partyId: 'armenia-foreign-ministry', name: 'Ministry of Foreign Affairs of Armenia', kind: 'government-body', weight: 0.5 },
  { partyId: 'osce-minsk-group-co-chairs', name: 'OSCE Minsk Group Co-Chairs', kind: 'mediator', weight: 0.25 },
  { partyId: 'russia-foreign-ministry', name: 'Ministry of Foreign Affairs of Russia', kind: 'government-body', weight: 0.15 },
];
const MINOR = Array.from({ length: 30 }, (_, i) => ({
  partyId: `local-source-${String(i + 1).padStart(2, '0')}`,
  name: `Local source ${i + 1}`,
  kind: (['media', 'ngo', 'individual', 'armed-group'] as const)[i % 4],
}));
const SIDES = ['azerbaijan-defence-ministry', 'karabakh-defense-army', 'armenia-defence-ministry', 'civilians'];
/** Civilians are a casualty category of no side (ClaimMade.v2), the others a party's side. */
const groupOf = (side: string) => (side === 'civilians' ? { category: 'civilians' as const } : { side });

export interface Entry {
  streamName: string;
  recordedBy: string;
  event: LedgerEvent;
}

const day = (n: number): string => new Date(Date.UTC(2019, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);

const sourceOf = (rng: Rng, d: number): Source => ({
  title: `Report ${rng.int(1, 99_999)} on the line of contact`,
  publisher: rng.pick(['RFE/RL Armenian Service', 'APA', 'Armenpress', 'Reuters', 'OC Media']),
  url: `https://news.example/${day(d)}/${rng.int(1, 1_000_000)}`,
  publishedAt: day(d),
});

const assertionsOf = (rng: Rng, partyId: string, d: number): Assertions => {
  const a: Assertions = {};
  const enemy = rng.pick(SIDES.filter((s) => s !== partyId && s !== 'civilians'));
  if (rng.chance(0.7)) a.responsibleParties = [enemy];
  if (rng.chance(0.6)) a.ceasefire = rng.chance(0.85) ? { violated: true, by: [enemy] } : { violated: false };
  if (rng.chance(0.6)) {
    a.casualties = [{ ...groupOf(rng.pick(SIDES)), killed: { best: rng.int(0, 4) }, ...(rng.chance(0.4) ? { wounded: { best: rng.int(1, 6), high: 8 } } : {}) }];
    if (rng.chance(0.3)) a.casualties[0].named = [{ name: `Soldier ${rng.int(1, 9999)}`, role: 'soldier', status: 'killed' }];
  }
  if (rng.chance(0.5)) a.occurred = { from: day(d - rng.int(0, 1)), to: day(d), precision: 'day' };
  if (rng.chance(0.3)) a.location = { name: rng.pick(['Tovuz', 'Agdam', 'Martakert', 'Fuzuli', 'Line of contact']), precision: 'district' };
  return a;
};

const statementOf = (rng: Rng, who: string): { text: string; verbatim: boolean; language: string } => ({
  text: `${who} says the other side opened fire with ${rng.pick(['small arms', 'mortars', 'sniper rifles', 'drones'])} near position ${rng.int(1, 500)}.`,
  verbatim: rng.chance(0.3),
  language: 'en',
});

/** One incident's entries, in the order they happened. */
const incidentEntries = (rng: Rng, n: number): Entry[] => {
  const incidentId = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const stream = incidentStream(incidentId);
  const d = 10 + Math.floor(n / 3);
  const out: Entry[] = [];
  const push = (event: LedgerEvent, recordedBy = 'analyst:bench') => out.push({ streamName: stream, recordedBy, event });

  push({
    type: 'IncidentReported',
    data: {
      incidentId,
      title: `Incident ${n} on the line of contact`,
      summary: 'Each side reports casualties and blames the other.',
      occurred: { from: day(d - 1), to: day(d), precision: 'day' },
      location: { name: rng.pick(['Tovuz', 'Agdam', 'Martakert', 'Fuzuli', 'Line of contact']), precision: 'region' },
      category: { eventType: rng.pick(ACLED_EVENT_TYPES), tags: [] },
    },
  });

  const claimants = MAJOR.filter((p) => rng.chance(p.weight)).map((p) => p.partyId);
  if (claimants.length === 0) claimants.push(MAJOR[0].partyId);
  while (rng.chance(0.35)) claimants.push(rng.pick(MINOR).partyId);

  const claims: Array<{ claimId: string; partyId: string; version: number; retracted: boolean; denials: string[] }> = [];
  let serial = 0;
  const claimAmendments: EntryRef[] = [];
  for (const partyId of claimants) {
    const claimId = `claim-${n}-${++serial}`;
    push({
      type: 'ClaimMade',
      data: {
        incidentId,
        claimId,
        partyId,
        statement: statementOf(rng, partyId),
        statedAt: { at: day(d), precision: 'day' },
        source: sourceOf(rng, d),
        answers: claims.length && rng.chance(0.5) ? [rng.pick(claims).claimId] : [],
        supersedes: [],
        assertions: assertionsOf(rng, partyId, d),
      },
    });
    claims.push({ claimId, partyId, version: 1, retracted: false, denials: [] });
  }

  // Denials of each other's claims, mostly by the parties that speak most.
  for (const claim of claims) {
    const deniers = claimants.filter((p) => p !== claim.partyId && MAJOR.some((m) => m.partyId === p));
    if (deniers.length && rng.chance(0.6)) {
      const partyId = rng.pick(deniers);
      const denialId = `denial-${n}-${++serial}`;
      const fields: AssertionField[] = rng.chance(0.4) ? [] : [rng.pick(['responsibleParties', 'ceasefire', 'casualties'] as const)];
      push({
        type: 'ClaimDenied',
        data: {
          incidentId,
          denialId,
          claimId: claim.claimId,
          claimPartyId: claim.partyId,
          partyId,
          statement: statementOf(rng, partyId),
          deniedAssertions: fields,
          claimVersion: claim.version,
          statedAt: { at: day(d + 1), precision: 'day' },
          source: sourceOf(rng, d + 1),
        },
      });
      claim.denials.push(denialId);
    }
  }

  // Corrections by the claimants, sometimes two.
  for (const claim of claims) {
    let corrections = rng.chance(0.3) ? (rng.chance(0.3) ? 2 : 1) : 0;
    while (corrections-- > 0) {
      claim.version++;
      push({
        type: 'ClaimCorrected',
        data: {
          incidentId,
          claimId: claim.claimId,
          partyId: claim.partyId,
          version: claim.version,
          ...(rng.chance(0.5) ? { statement: statementOf(rng, claim.partyId) } : {}),
          assertions: { casualties: [{ ...groupOf(rng.pick(SIDES)), killed: { best: rng.int(0, 5) } }] },
          reason: 'New figures from the front.',
          statedAt: { at: day(d + 1 + claim.version), precision: 'day' },
          source: sourceOf(rng, d + 1 + claim.version),
        },
      });
      if (rng.chance(0.2)) claimAmendments.push({ kind: 'claim', claimId: claim.claimId, version: claim.version });
    }
  }

  // Ledger amendments: mistyped figures, a wrong date, a denial scoped wrongly.
  const amend = (entry: EntryRef, changes: Record<string, unknown>) =>
    push(
      {
        type: 'EntryAmended',
        data: { incidentId, amendmentId: `amendment-${n}-${++serial}`, entry, changes, reason: 'Transcription error.' },
      } as LedgerEvent,
      'editor:bench',
    );
  if (rng.chance(0.1)) amend({ kind: 'incident' }, { title: `Incident ${n} near the line of contact` });
  for (const claim of claims) {
    if (rng.chance(0.15)) amend({ kind: 'claim', claimId: claim.claimId, version: 1 }, { statedAt: { at: day(d - 1), precision: 'day' } });
    for (const denialId of claim.denials) if (rng.chance(0.1)) amend({ kind: 'denial', denialId }, { deniedAssertions: [] });
  }
  for (const ref of claimAmendments) amend(ref, { assertions: { casualties: [{ category: 'civilians', killed: { best: 1 } }] } });

  // A few retractions, and now and then an amendment of one.
  for (const claim of claims) {
    if (!rng.chance(0.06)) continue;
    claim.retracted = true;
    push({
      type: 'ClaimRetracted',
      data: {
        incidentId,
        claimId: claim.claimId,
        partyId: claim.partyId,
        reason: 'Withdrawn pending an inquiry.',
        statedAt: { at: day(d + 5), precision: 'day' },
        source: sourceOf(rng, d + 5),
      },
    });
    if (rng.chance(0.3)) amend({ kind: 'retraction', claimId: claim.claimId }, { reason: 'Withdrawn after an inquiry.' });
  }
  return out;
};

/** Exactly `size` entries: every party registered, then incidents with up to four open at a time, their events interleaved. */
export function* generateEntries(size: number, seed = 1): Generator<Entry> {
  const rng = prng(seed);
  let emitted = 0;
  for (const p of [...MAJOR, ...MINOR]) {
    if (emitted >= size) return;
    emitted++;
    yield {
      streamName: partyStream(p.partyId),
      recordedBy: 'analyst:bench',
      event: { type: 'PartyRegistered', data: { partyId: p.partyId, name: p.name, kind: p.kind, aliases: [] } },
    };
  }
  const open: Entry[][] = [];
  let incidents = 0;
  while (emitted < size) {
    while (open.length < 4) open.push(incidentEntries(rng, ++incidents));
    const i = rng.int(0, open.length - 1);
    // A short run of one incident's events, as a recorder enters a report.
    for (let run = rng.int(1, 3); run > 0 && open[i].length && emitted < size; run--) {
      emitted++;
      yield open[i].shift()!;
    }
    if (open[i].length === 0) open.splice(i, 1);
  }
}

export const generateLog = (size: number, seed = 1): Entry[] => [...generateEntries(size, seed)];
