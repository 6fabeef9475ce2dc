import type { SpawnedLedger } from './spawned-ledger';

/** Request bodies for tests that drive a spawned ledger with plain writes. */
export const PARTY = { partyId: 'azerbaijan', name: 'Republic of Azerbaijan', kind: 'state' };

export const INCIDENT = {
  title: 'Ceasefire violation on the line of contact',
  summary: 'Each side blames the other for a night of fire.',
  occurred: { from: '2019-05-30', to: '2019-06-01', precision: 'day' },
  location: { name: 'Line of contact', precision: 'region' },
  category: { eventType: 'battles', subEventType: 'armed-clash', tags: ['ceasefire-violation'] },
};

export const claimBody = (i: number) => ({
  partyId: PARTY.partyId,
  statement: { text: `Statement number ${i} about the night of fighting.`, verbatim: false, language: 'en' },
  statedAt: { at: '2019-06-01', precision: 'day' },
  source: { title: `Wire report ${i}`, publisher: 'Operations test wire', publishedAt: '2019-06-03' },
  assertions: {},
});

/** Registers the party and reports one incident; returns the incident id. */
export const seedIncident = async (ledger: SpawnedLedger): Promise<string> => {
  const party = await ledger.request('POST', '/parties', { role: 'recorder', body: PARTY });
  if (party.status !== 201) throw new Error(`POST /parties answered ${party.status}: ${JSON.stringify(party.body)}`);
  const incident = await ledger.request('POST', '/incidents', { role: 'recorder', body: INCIDENT });
  if (incident.status !== 201) throw new Error(`POST /incidents answered ${incident.status}: ${JSON.stringify(incident.body)}`);
  return (incident.body as { incidentId: string }).incidentId;
};
