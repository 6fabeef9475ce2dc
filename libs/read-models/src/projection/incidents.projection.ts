import { IncidentReportedData, PartyRegisteredData } from '@ledger/domain';
import { LedgerEnvelope } from '../envelope';
import { IncidentRow, PartyRow, incidentPartiesTable, partiesTable } from '../tables/ledger.tables';
import { TableAccess } from '../tables/table-spec';
import { instantRange } from '../time-range';
import { IncidentContext } from './projection-context';
import { putIncident } from './incidents-by-day.projection';

export const emptyIncident = (incidentId: string): IncidentRow => ({
  incidentId,
  reported: false,
  data: null,
  title: null,
  summary: null,
  category: null,
  subEventType: null,
  tags: [],
  tollKilled: null,
  occurredStart: null,
  occurredEnd: null,
  locationName: null,
  reportedAt: null,
  reportedBy: null,
  reportedPosition: null,
  amendedBy: [],
  claims: 0,
  activeClaims: 0,
  denials: 0,
  corrections: 0,
  retractions: 0,
  amendments: 0,
  disagreements: 0,
  contested: false,
  disputedPoints: {},
  lastRecordedAt: '',
  lastPosition: 0n,
  revision: 0n,
  mergedInto: null,
});

const tollKilledOf = (toll: IncidentReportedData['toll']): number | null => {
  const killed = (toll ?? []).flatMap((group) => (group.killed ? [group.killed.best] : []));
  return killed.length ? killed.reduce((a, b) => a + b, 0) : null;
};

/** The incident's columns that come from its (amended) report. */
export const withReport = (row: IncidentRow, data: IncidentReportedData): IncidentRow => {
  const range = instantRange(data.occurred);
  return {
    ...row,
    reported: true,
    data,
    title: data.title,
    summary: data.summary,
    category: data.category.eventType ?? null,
    subEventType: data.category.subEventType ?? null,
    tags: data.category.tags,
    tollKilled: tollKilledOf(data.toll),
    occurredStart: range.start,
    occurredEnd: range.end,
    locationName: data.location.name,
  };
};

export const reportIncident = (ctx: IncidentContext, data: IncidentReportedData): void => {
  ctx.incident = {
    ...withReport(ctx.incident, data),
    reportedAt: ctx.e.recordedAt,
    reportedBy: ctx.e.recordedBy,
    reportedPosition: ctx.e.position,
  };
};

/** Makes the party part of the incident at its first claim or denial; returns its place in the incident's order. */
export const joinIncident = (ctx: IncidentContext, partyId: string): bigint => {
  const key = { incidentId: ctx.incidentId, partyId };
  const joined = ctx.t.get(incidentPartiesTable, key);
  if (joined) return joined.firstPosition;
  ctx.t.put(incidentPartiesTable, { ...key, firstPosition: ctx.e.position });
  countInRecord(ctx.t, partyId, 'incidents');
  return ctx.e.position;
};

export const partyOrderIn = (t: TableAccess, incidentId: string, partyId: string): bigint =>
  t.get(incidentPartiesTable, { incidentId, partyId })?.firstPosition ?? 0n;

const emptyParty = (partyId: string): PartyRow => ({
  partyId,
  registered: false,
  name: null,
  kind: null,
  description: null,
  affiliation: null,
  aliases: [],
  registeredAt: null,
  lastPosition: 0n,
  incidents: 0,
  claims: 0,
  corrections: 0,
  retractions: 0,
  denialsMade: 0,
  denialsReceived: 0,
});

export type RecordCount = 'incidents' | 'claims' | 'corrections' | 'retractions' | 'denialsMade' | 'denialsReceived';

/** One more row of the party's record (a claim, a version, a retraction, a denial, an incident joined). */
export const countInRecord = (t: TableAccess, partyId: string, count: RecordCount): void => {
  const party = t.get(partiesTable, { partyId }) ?? emptyParty(partyId);
  t.put(partiesTable, { ...party, [count]: party[count] + 1 });
};

/** Every entry naming a party moves the party's position (it changes what the party's record shows). */
export const touchParties = (t: TableAccess, e: LedgerEnvelope, partyIds: Iterable<string>): void => {
  for (const partyId of new Set(partyIds)) {
    t.put(partiesTable, { ...(t.get(partiesTable, { partyId }) ?? emptyParty(partyId)), lastPosition: e.position });
  }
};

export const registerParty = (t: TableAccess, e: LedgerEnvelope, data: PartyRegisteredData): void => {
  const { partyId, name, kind, description, affiliation, aliases } = data;
  t.put(partiesTable, {
    ...(t.get(partiesTable, { partyId }) ?? emptyParty(partyId)),
    registered: true,
    name,
    kind,
    description: description ?? null,
    affiliation: affiliation ?? null,
    aliases,
    registeredAt: e.recordedAt,
    lastPosition: e.position,
  });
};

/** The parties of an incident in order of their first entry. */
export const incidentPartyIds = (t: TableAccess, incidentId: string): string[] =>
  t.find(incidentPartiesTable, { incidentId }, { orderBy: [{ column: 'firstPosition' }] }).map((row) => row.partyId);

export const saveIncident = (ctx: IncidentContext): void => {
  const row = ctx.incident;
  row.lastRecordedAt = ctx.e.recordedAt;
  row.lastPosition = ctx.e.position;
  row.revision = ctx.e.revision;
  row.contested = row.disagreements > 0;
  putIncident(ctx.t, row);
};
