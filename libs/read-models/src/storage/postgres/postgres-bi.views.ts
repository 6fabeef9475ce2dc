/**
 * Views for BI tools (Metabase, Grafana, Superset) over the read-model tables in PostgreSQL: the questions people
 * ask of the ledger most, in plain columns, so that a dashboard needs no JSON operators. Recreated whenever a table
 * they read is (re)created; documented in the README by `npm run docs:tables`.
 */
export interface BiView {
  name: string;
  question: string;
  /** The read-model tables it reads: it is made only once they all exist. */
  tables: readonly string[];
  columns: Readonly<Record<string, string>>;
  select(schema: string): string;
}

export const BI_VIEWS: readonly BiView[] = [
  {
    name: 'who_blames_whom',
    question: 'Who blames whom in each incident, now (each party’s standing position on who is responsible)?',
    tables: ['party_positions', 'parties'],
    columns: {
      incident_id: 'incident id',
      blaming_party_id: 'the party that holds the position',
      blaming_party_name: 'its registered name (null: not registered)',
      blamed_party_id: 'a party it holds responsible',
      blamed_party_name: 'its registered name (null: not registered)',
      claim_id: 'the standing claim the position rests on',
      stated_at: 'when that claim’s current version was stated (ISO-8601, its precision dropped)',
    },
    select: (schema) => `
      SELECT p.incident_id, p.party_id AS blaming_party_id, blamer.name AS blaming_party_name,
             blamed.party_id AS blamed_party_id, target.name AS blamed_party_name,
             p.claim_id, p.stated_at ->> 'at' AS stated_at
      FROM ${schema}.party_positions AS p
      CROSS JOIN LATERAL json_array_elements_text(p.value) AS blamed(party_id)
      LEFT JOIN ${schema}.parties AS blamer ON blamer.party_id = p.party_id
      LEFT JOIN ${schema}.parties AS target ON target.party_id = blamed.party_id
      WHERE p.field = 'responsibleParties' AND json_typeof(p.value) = 'array'`,
  },
  {
    name: 'incident_overview',
    question: 'Which incidents are reported, when and where, how much has been said about each, and is it contested?',
    tables: ['incidents'],
    columns: {
      incident_id: 'incident id',
      title: 'title',
      category: 'ACLED event type',
      sub_event_type: 'ACLED sub-event type',
      occurred_start: 'start of the occurrence interval (timestamptz)',
      occurred_end: 'end of the occurrence interval (timestamptz)',
      location_name: 'place name',
      toll_killed: 'the ledger’s toll: best killed figures summed',
      claims: 'claims made',
      active_claims: 'claims not retracted',
      denials: 'denials',
      corrections: 'corrections by claimants',
      retractions: 'retractions',
      disagreements: 'points of disagreement now',
      contested: 'at least one point of disagreement',
      last_recorded_at: 'when the ledger last recorded something about it (timestamptz)',
    },
    select: (schema) => `
      SELECT incident_id, title, category, sub_event_type, occurred_start::timestamptz AS occurred_start,
             occurred_end::timestamptz AS occurred_end, location_name, toll_killed, claims, active_claims, denials,
             corrections, retractions, disagreements, contested, last_recorded_at::timestamptz AS last_recorded_at
      FROM ${schema}.incidents
      WHERE reported`,
  },
];

const cell = (text: string): string => text.replace(/\|/g, '\\|');

/** The views' documentation as Markdown, for the README's generated section. */
export const biViewsMarkdown = (views: readonly BiView[] = BI_VIEWS): string =>
  views
    .map((view) =>
      [
        `#### view \`${view.name}\` (PostgreSQL only): ${view.question}`,
        '',
        `Reads: ${view.tables.map((t) => `\`${t}\``).join(', ')}.`,
        '',
        '| column | meaning |',
        '| --- | --- |',
        ...Object.entries(view.columns).map(([name, meaning]) => `| \`${name}\` | ${cell(meaning)} |`),
      ].join('\n'),
    )
    .join('\n\n');
