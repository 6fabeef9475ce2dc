import { createHash } from 'node:crypto';
import {
  ACLED_EVENT_TYPES,
  ACLED_SUB_EVENT_TYPES,
  AcledEventType,
  AcledSubEventType,
  Assertions,
  ClaimMadeData,
  IncidentCategory,
  IncidentReportedData,
  PartyKind,
  PartyRegisteredData,
  Place,
  PlacePrecision,
  PointInTime,
  Source,
  Statement,
  TimeInterval,
  TimePrecision,
} from '@ledger/domain';
import { nameBasedUuid } from '../../../application/uuid-v5';
import type { DatasetEvent, DatasetName } from './dataset-event';

/**
 * How a dataset row becomes ledger entries: the row's event is an incident, and what the monitor coded about it is a
 * claim by the monitor. Ids derive from the dataset and the row's own stable id only (not from who imports it, nor from
 * the release), so every release of the dataset, imported by anyone, names the same incident and the same claim.
 */

/** Fixed forever: changing it would make every dataset row a new incident. */
const DATASET_NAMESPACE = '7d3c1f0a-5b52-4c8e-9a0e-2f64a1d0c7b3';
const datasetUuid = nameBasedUuid(DATASET_NAMESPACE);

export const datasetIncidentId = (dataset: DatasetName, eventId: string): string => datasetUuid(`${dataset}\n${eventId}\nincident`);
export const datasetClaimId = (dataset: DatasetName, eventId: string): string => datasetUuid(`${dataset}\n${eventId}\nclaim`);

/** The monitors, registered once as parties: ACLED is a non-profit, UCDP an academic programme (neither a state body). */
export const DATASET_MONITORS: Record<DatasetName, PartyRegisteredData> = {
  acled: {
    partyId: 'acled',
    name: 'Armed Conflict Location & Event Data (ACLED)',
    kind: 'ngo',
    description: 'Non-profit conflict monitor; codes political violence and protest events from reports, revising rows in place',
    aliases: ['ACLED', 'Armed Conflict Location & Event Data Project'],
  },
  'ucdp-ged': {
    partyId: 'ucdp',
    name: 'Uppsala Conflict Data Program (UCDP)',
    kind: 'ngo',
    description: 'Research programme of the Department of Peace and Conflict Research, Uppsala University; publishes the Georeferenced Event Dataset (GED)',
    aliases: ['UCDP', 'UCDP GED'],
  },
};

const LABEL: Record<DatasetName, string> = { acled: 'ACLED', 'ucdp-ged': 'UCDP GED' };

/** What the import needs to know of the release it reads (none of it changes ids or what counts as a change). */
export interface DatasetRelease {
  dataset: DatasetName;
  /** The release's name as its publisher gives it (e.g. "24.1"), quoted in the claim's source. */
  name?: string;
  /** When the release was published (ISO date): when the monitor said what it says, unless the row knows better. */
  publishedAt: string;
}

/** Every entry one row leads to: the incident, the monitor's claim, and the parties the claim names besides the monitor. */
export interface DatasetRowPlan {
  dataset: DatasetName;
  eventId: string;
  line: number;
  incidentId: string;
  claimId: string;
  /** The body of POST /incidents (incidentId aside), as a reportIncident import line would carry it. */
  report: Omit<IncidentReportedData, 'incidentId'>;
  /** The body of POST /incidents/{id}/claims. */
  claim: Omit<ClaimMadeData, 'incidentId' | 'claimId'>;
  /** Actors the claim holds responsible, registered as parties before the claim (absent ones only). */
  parties: PartyRegisteredData[];
}

/** A value of the row the ledger cannot take (an event type ACLED does not have): the row is refused, naming the column. */
export class DatasetMappingError extends Error {
  constructor(
    readonly column: string,
    message: string,
  ) {
    super(message);
    this.name = 'DatasetMappingError';
  }
}

// ------------------------------------------------------------------ precision codes

/**
 * The dataset's precision codes as the ledger's coarser words; the codes themselves stay in the claim's words. UCDP's
 * date_prec 2 is "a few days": the interval says which, to the day. A year (date_prec 5) has no word of its own.
 */
const TIME_PRECISION: Record<DatasetName, Record<number, TimePrecision>> = {
  acled: { 1: 'day', 2: 'week', 3: 'month' },
  'ucdp-ged': { 1: 'day', 2: 'day', 3: 'week', 4: 'month', 5: 'approximate' },
};

/**
 * ACLED geo_precision 1 the named town, 2 near it or a part of a region, 3 a larger region; UCDP where_prec 1 the exact
 * place, 2 within about 25 km, 3 a second-order division, 4 a first-order one, 5 a stretch or a larger area, 6 the
 * country, 7 international waters or air space.
 */
const PLACE_PRECISION: Record<DatasetName, Record<number, PlacePrecision>> = {
  acled: { 1: 'settlement', 2: 'district', 3: 'region' },
  'ucdp-ged': { 1: 'exact', 2: 'settlement', 3: 'district', 4: 'region', 5: 'approximate', 6: 'country', 7: 'approximate' },
};

const TIME_CODE_COLUMN: Record<DatasetName, string> = { acled: 'time_precision', 'ucdp-ged': 'date_prec' };
const PLACE_CODE_COLUMN: Record<DatasetName, string> = { acled: 'geo_precision', 'ucdp-ged': 'where_prec' };

// ------------------------------------------------------------------ taxonomy

/** ACLED's labels as the ledger's codes: "Explosions/Remote violence" is explosions-remote-violence. */
const code = (label: string): string =>
  label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');

const acledCategory = (event: DatasetEvent): IncidentCategory => {
  const acled = event.acled!;
  const eventType = code(acled.eventType);
  const subEventType = code(acled.subEventType);
  if (!(ACLED_EVENT_TYPES as readonly string[]).includes(eventType)) {
    throw new DatasetMappingError('event_type', `${JSON.stringify(acled.eventType)} is not one of ACLED's event types`);
  }
  if (!(ACLED_SUB_EVENT_TYPES as readonly string[]).includes(subEventType)) {
    throw new DatasetMappingError('sub_event_type', `${JSON.stringify(acled.subEventType)} is not one of ACLED's sub-event types`);
  }
  return { eventType: eventType as AcledEventType, subEventType: subEventType as AcledSubEventType, tags: event.tags };
};

const UCDP_VIOLENCE = { 1: 'state-based violence', 2: 'non-state violence', 3: 'one-sided violence' } as const;

/**
 * UCDP's three types of violence are not ACLED's event types: state-based and non-state violence are fighting between
 * organised groups (Battles; the sub-event type, which UCDP does not say, is left out), one-sided violence is violence
 * against civilians (an attack). The UCDP type stays as a tag.
 */
const ucdpCategory = (event: DatasetEvent): IncidentCategory => {
  const type = event.ucdp!.typeOfViolence;
  return type === 3
    ? { eventType: 'violence-against-civilians', subEventType: 'attack', tags: [`UCDP ${UCDP_VIOLENCE[type]}`] }
    : { eventType: 'battles', tags: [`UCDP ${UCDP_VIOLENCE[type]}`] };
};

// ------------------------------------------------------------------ actors

const ACLED_INTER: Record<string, { label: string; kind: PartyKind }> = {
  '1': { label: 'State forces', kind: 'armed-force' },
  '2': { label: 'Rebel groups', kind: 'armed-group' },
  '3': { label: 'Political militias', kind: 'armed-group' },
  '4': { label: 'Identity militias', kind: 'armed-group' },
  '5': { label: 'Rioters', kind: 'armed-group' },
  '6': { label: 'Protesters', kind: 'individual' },
  '7': { label: 'Civilians', kind: 'individual' },
  '8': { label: 'External/Other forces', kind: 'armed-force' },
};

const PARTY_ID_MAX = 80;

/** A party id for an actor as the dataset names it: a slug under the dataset's prefix, shortened with a digest when long. */
export const datasetActorPartyId = (dataset: DatasetName, name: string): string => {
  const prefix = dataset === 'acled' ? 'acled' : 'ucdp';
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const digest = createHash('sha256').update(name).digest('hex').slice(0, 10);
  if (slug === '') return `${prefix}-actor-${digest}`;
  const id = `${prefix}-${slug}`;
  return id.length <= PARTY_ID_MAX ? id : `${id.slice(0, PARTY_ID_MAX - 11).replace(/-+$/, '')}-${digest}`;
};

/**
 * Who the monitor holds responsible. Neither layout says who attacked whom in a battle (ACLED's actor1 is not the
 * attacker, nor is UCDP's side A), so only one-sided violence names someone: ACLED's "Violence against civilians",
 * whose actor1 is the perpetrator, and UCDP's type 3, whose side A is.
 */
const responsibleActor = (event: DatasetEvent): PartyRegisteredData | undefined => {
  const label = LABEL[event.dataset];
  if (event.dataset === 'acled' && event.acled && code(event.acled.eventType) === 'violence-against-civilians') {
    const actor = event.actors.find((a) => a.role === 'actor1')!;
    const inter1 = event.acled.inter1;
    const inter = inter1 !== undefined ? ACLED_INTER[inter1] : undefined;
    return {
      partyId: datasetActorPartyId('acled', actor.name),
      name: actor.name,
      kind: inter?.kind ?? 'armed-group',
      description: `Actor as ${label} names it${inter ? ` (inter code ${inter1}: ${inter.label})` : ''}; registered by a dataset import`,
      aliases: [],
    };
  }
  if (event.dataset === 'ucdp-ged' && event.ucdp?.typeOfViolence === 3) {
    const actor = event.actors.find((a) => a.role === 'side-a')!;
    return {
      partyId: datasetActorPartyId('ucdp-ged', actor.name),
      name: actor.name,
      kind: /^government of /i.test(actor.name) ? 'state' : 'armed-group',
      description: `Actor as ${label} names it (side A of one-sided violence); registered by a dataset import`,
      aliases: [],
    };
  }
  return undefined;
};

// ------------------------------------------------------------------ the row

const placeName = (event: DatasetEvent): string =>
  [event.place.name, event.place.admin2, event.place.admin1, event.place.country].filter((part, i, all) => part !== undefined && all.indexOf(part) === i).join(', ');

const when = (event: DatasetEvent): string => (event.occurred.start === event.occurred.end ? event.occurred.start : `${event.occurred.start} to ${event.occurred.end}`);

const fatalities = (event: DatasetEvent): string => {
  const { best, low, high, bySide } = event.fatalities;
  const range = low !== undefined && high !== undefined ? ` (low ${low}, high ${high})` : '';
  const split = bySide ? `: side A ${bySide.sideA}, side B ${bySide.sideB}, civilians ${bySide.civilians}, unknown ${bySide.unknown}` : '';
  return `${best} fatalit${best === 1 ? 'y' : 'ies'}${range}${split}`;
};

const sourcesText = (event: DatasetEvent): string =>
  event.sources
    .map((s) => [s.name, s.headline && !s.name.includes(s.headline) ? `"${s.headline}"` : undefined, s.originator ? `originally from ${s.originator}` : undefined].filter(Boolean).join(', '))
    .join('; ');

/**
 * The claim's words: the row as the monitor coded it, one sentence per column group, with the precision codes and the
 * sources. Every column that says something about the event is here (the row's revision time is not), so that any
 * change a newer release makes to the row shows as a change of the claim's words, besides the structured fields.
 */
const statementOf = (event: DatasetEvent): Statement => {
  const label = LABEL[event.dataset];
  const actors = event.actors.map((a) => `${a.name} (${a.role})`).join(', ');
  const parts: string[] = [];
  if (event.notes) parts.push(event.notes);
  if (event.acled) {
    const { eventType, subEventType, disorderType, interaction, civilianTargeting } = event.acled;
    parts.push(
      `${label} ${event.eventId}: ${eventType} / ${subEventType}${disorderType ? ` (${disorderType})` : ''}` +
        `${interaction ? `, interaction ${interaction}` : ''}${civilianTargeting ? ', civilian targeting' : ''}.`,
    );
  } else if (event.ucdp) {
    const { typeOfViolence, conflictName, dyadName, eventClarity } = event.ucdp;
    parts.push(
      `${label} ${event.eventId}: ${UCDP_VIOLENCE[typeOfViolence]} (type_of_violence ${typeOfViolence})` +
        `${conflictName ? `, conflict ${conflictName}` : ''}${dyadName ? `, dyad ${dyadName}` : ''}${eventClarity !== undefined ? `, event_clarity ${eventClarity}` : ''}.`,
    );
  }
  parts.push(`Actors: ${actors}.`);
  parts.push(`Fatalities: ${fatalities(event)}.`);
  parts.push(`When: ${when(event)} (${TIME_CODE_COLUMN[event.dataset]} ${event.occurred.precisionCode}: ${event.occurred.precision}).`);
  const coordinates = event.place.coordinates ? `, ${event.place.coordinates.latitude}, ${event.place.coordinates.longitude}` : '';
  parts.push(`Where: ${placeName(event)}${coordinates} (${PLACE_CODE_COLUMN[event.dataset]} ${event.place.precisionCode}).`);
  if (event.tags.length > 0) parts.push(`Tags: ${event.tags.join('; ')}.`);
  if (event.sources.length > 0) parts.push(`Sources: ${sourcesText(event)}.`);
  return { text: parts.join('\n'), verbatim: false, language: 'en' };
};

const occurredOf = (event: DatasetEvent): TimeInterval => ({
  from: event.occurred.start,
  to: event.occurred.end,
  precision: TIME_PRECISION[event.dataset][event.occurred.precisionCode] ?? 'approximate',
});

const locationOf = (event: DatasetEvent): Place => ({
  name: placeName(event),
  precision: PLACE_PRECISION[event.dataset][event.place.precisionCode] ?? 'approximate',
  ...(event.place.coordinates ? { coordinates: { lat: event.place.coordinates.latitude, lon: event.place.coordinates.longitude } } : {}),
});

const titleOf = (event: DatasetEvent): string => {
  const what = event.acled ? event.acled.subEventType : (event.ucdp?.conflictName ?? UCDP_VIOLENCE[event.ucdp!.typeOfViolence]);
  return `${what}: ${event.place.name}, ${event.place.country} (${LABEL[event.dataset]} ${event.eventId})`;
};

/** ACLED's row timestamp is when the monitor last said it; UCDP rows have none, so the release's date stands in. */
const statedAtOf = (event: DatasetEvent, release: DatasetRelease): PointInTime =>
  event.revisedAt !== undefined ? { at: event.revisedAt, precision: 'exact' } : { at: release.publishedAt, precision: 'day' };

export const datasetSourceOf = (event: Pick<DatasetEvent, 'dataset' | 'eventId'>, release: DatasetRelease): Source => ({
  title: `${LABEL[event.dataset]} event ${event.eventId}${release.name ? `, release ${release.name}` : ''}`,
  publisher: DATASET_MONITORS[event.dataset].name,
  url: event.dataset === 'acled' ? 'https://acleddata.com/' : 'https://ucdp.uu.se/',
  publishedAt: release.publishedAt,
});

/** The row as ledger entries. Throws DatasetMappingError for a value the ledger's vocabulary lacks. */
export const planDatasetRow = (event: DatasetEvent, release: DatasetRelease): DatasetRowPlan => {
  const category = event.acled ? acledCategory(event) : ucdpCategory(event);
  const occurred = occurredOf(event);
  const location = locationOf(event);
  const { best, low, high } = event.fatalities;
  const responsible = responsibleActor(event);
  const assertions: Assertions = {
    ...(responsible ? { responsibleParties: [responsible.partyId] } : {}),
    // The dataset's count is of everyone killed, attributed to no side (UCDP's split by side is in the claim's words).
    casualties: [{ killed: { best, ...(low !== undefined ? { low } : {}), ...(high !== undefined ? { high } : {}) } }],
    occurred,
    location,
  };
  const statement = statementOf(event);
  return {
    dataset: event.dataset,
    eventId: event.eventId,
    line: event.line,
    incidentId: datasetIncidentId(event.dataset, event.eventId),
    claimId: datasetClaimId(event.dataset, event.eventId),
    report: { title: titleOf(event), summary: event.notes ?? '', occurred, location, category },
    claim: {
      partyId: DATASET_MONITORS[event.dataset].partyId,
      statement,
      statedAt: statedAtOf(event, release),
      source: datasetSourceOf(event, release),
      answers: [],
      // A monitor's row is one account of one event: a newer release corrects it rather than superseding it.
      supersedes: [],
      assertions,
    },
    parties: responsible ? [responsible] : [],
  };
};
