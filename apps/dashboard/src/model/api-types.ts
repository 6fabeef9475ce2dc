// Shorthands for the generated OpenAPI types (generated/api-schema.d.ts, made by `npm run build:dashboard`).
import type { components } from '../../generated/api-schema';

type Schemas = components['schemas'];
export type VersionsDoc = Schemas['PartyVersionsPage'];
export type VersionsAsOfDoc = Schemas['VersionsAsOf'];
export type PartyVersion = VersionsDoc['parties'][number];
export type PartyClaim = PartyVersion['claims'][number];
export type Disagreement = VersionsDoc['disagreements'][number];
export type Assertions = Schemas['Assertions'];
export type AssertionField = keyof Assertions;
export type IncidentListItem = Schemas['IncidentListItem'];
export type PartyRecord = Schemas['PartyRecord'];
export type PartySummary = Schemas['PartySummary'];
export type TimelineEntry = Schemas['IncidentTimelinePage']['entries'][number];
export type ClaimHistory = Schemas['ClaimHistoryAsOf'];
export type Estimate = Schemas['Estimate'];
export type PointInTime = Schemas['PointInTime'];
export type TimeInterval = Schemas['TimeInterval'];
export type Place = Schemas['Place'];

export const ASSERTION_FIELDS = ['responsibleParties', 'ceasefire', 'casualties', 'occurred', 'location'] as const satisfies readonly AssertionField[];
export type ActivityStats = Schemas['ActivityStats'];
export type ActivityRow = ActivityStats['rows'][number];
export type IncidentsContestedStats = Schemas['IncidentsContestedStats'];
