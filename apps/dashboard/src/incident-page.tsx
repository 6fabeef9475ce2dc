import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { readModelsPosition, useLedger } from './ledger-client';
import type { PartyVersion, TimelineEntry, VersionsAsOfDoc, VersionsDoc } from './model/api-types';
import { cutsOf, entriesAsOf, type Clock, type Cut } from './model/as-of-cuts';
import { describeFeedEvent, type FeedEvent } from './model/feed-news';
import { mergeTimelinePages, mergeVersionsPages } from './model/entry-pages';
import { CREDIBILITIES, RELIABILITIES, gradeText, minGradeQuery, parseCredibility, parseReliability, type MinGrade } from './model/min-grade';
import { buildMatrix, describeAssertion, formatPoint, MATRIX_COLUMNS, type VersionsLike } from './model/who-says-what';
import { useLiveFeed } from './live-feed';
import { LocationPanel } from './location-panel';
import { PlotChart, type ChartOptions } from './plot-chart';
import { ErrorNote, href, must, useLearnNames, useParties, usePagedEntries, useReadyMark } from './ui-kit';

const Matrix = memo(({ doc, incidentId }: { doc: VersionsLike; incidentId: string }) => {
  const { nameOf } = useParties();
  const rows = buildMatrix(doc, nameOf);
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Who says what">
      <table className="matrix" data-testid="matrix">
        <caption>Who says what: each party's current account, point by point</caption>
        <thead>
          <tr>
            <th scope="col">Party</th>
            {MATRIX_COLUMNS.map((c) => (
              <th scope="col" key={c.field}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.partyId} data-party={row.partyId}>
              <th scope="row">
                {nameOf(row.partyId)}
                {row.denies.length > 0 && (
                  <div className="muted small">
                    denies {row.denies.map((d) => `${nameOf(d.claimPartyId)}${d.fields.length ? ` (${d.fields.join(', ')})` : ''}`).join('; ')}
                  </div>
                )}
              </th>
              {row.cells.map((cell) => (
                <td key={cell.field} data-field={cell.field} data-label={MATRIX_COLUMNS.find((c) => c.field === cell.field)?.label} className={[cell.said ? '' : 'silent', cell.disputed ? 'disputed' : '', cell.deniedBy.length ? 'denied' : ''].join(' ').trim()}>
                  {cell.claimId ? (
                    <a href={`${href('incidents', incidentId, 'claims', cell.claimId)}?v=${cell.version ?? ''}`} title={`claim ${cell.claimId}, version ${cell.version}`}>
                      {cell.text}
                    </a>
                  ) : (
                    <span className="muted">{cell.text}</span>
                  )}
                  {cell.disputed && <span className="badge disputed">disputed</span>}
                  {cell.deniedBy.length > 0 && <span className="badge denied">denied by {cell.deniedBy.map(nameOf).join(', ')}</span>}
                  {cell.version !== undefined && <span className="version">v{cell.version}</span>}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
});

const PartyClaims = memo(({ party, incidentId }: { party: PartyVersion; incidentId: string }) => {
  const { nameOf } = useParties();
  const { can } = useLedger();
  return (
    <section className="party" aria-labelledby={`party-${party.partyId}`}>
      <h3 id={`party-${party.partyId}`}>{nameOf(party.partyId)}</h3>
      {party.claims.length === 0 && <p className="muted">No claims; denies others' claims only.</p>}
      {party.claims.map((c) => (
        <article key={c.claimId} className={c.retracted ? 'claim retracted' : 'claim'}>
          <p>
            <a href={`${href('incidents', incidentId, 'claims', c.claimId)}?v=${c.version}`}>
              “{c.statement.text}”
            </a>{' '}
            <span className="muted">
              {c.statement.verbatim ? 'verbatim' : 'paraphrase'} · stated {formatPoint(c.statedAt)} · {c.source.publisher}
            </span>
          </p>
          <p className="small">
            <span className={c.grade ? 'badge grade' : 'badge grade ungraded'} title="Source reliability (A-F) and information credibility (1-6) of the current version">
              {gradeText(c.grade)}
            </span>{' '}
            Version {c.version} of {c.versions.length}
            {c.retracted && <strong> · retracted</strong>}
            {c.versions.length > 1 && ` · corrections: ${c.versions.filter((v) => v.kind === 'corrected').map((v) => `v${v.version} (${v.reason ?? 'no reason'})`).join('; ')}`}
          </p>
          {c.denials.length > 0 && (
            <ul className="denials small">
              {c.denials.map((d) => (
                <li key={d.denialId} className={d.active ? '' : 'muted'}>
                  Denied by <strong>{nameOf(d.partyId)}</strong>
                  {d.deniedAssertions.length ? ` on ${d.deniedAssertions.join(', ')}` : ' as a whole'}: “{d.statement.text}” ({formatPoint(d.statedAt)})
                </li>
              ))}
            </ul>
          )}
          {can('recorder') && !c.retracted && (
            <p className="actions small">
              <a href={`${href('incidents', incidentId, 'record', 'deny')}?claim=${c.claimId}`}>Deny</a>
              <a href={`${href('incidents', incidentId, 'record', 'correct')}?claim=${c.claimId}`}>Correct</a>
              <a href={`${href('incidents', incidentId, 'record', 'retract')}?claim=${c.claimId}`}>Retract</a>
            </p>
          )}
        </article>
      ))}
    </section>
  );
});

/** Stated time (when the party says it spoke) against recorded time (when the ledger learnt it): a late statement about an early date stands out. */
const TimelineChart = memo(({ entries }: { entries: TimelineEntry[] }) => {
  const { nameOf } = useParties();
  const points = entries
    .filter((e) => e.statedAt && e.partyId)
    .map((e) => ({ party: nameOf(e.partyId!), stated: new Date(e.statedAt!.at), recorded: new Date(e.recordedAt), kind: e.kind, version: 'version' in e ? e.version : undefined }));
  // Read when the chart is drawn (redrawKey says when); no memo needed.
  const options: ChartOptions = (Plot) => ({
    height: 240,
    marginLeft: 70,
    color: { legend: true, type: 'categorical' as const },
    x: { type: 'utc' as const, label: 'stated time →', grid: true },
    y: { type: 'utc' as const, label: '↑ recorded time', grid: true },
    marks: [Plot.dot(points, { x: 'stated', y: 'recorded', stroke: 'party', fill: 'party', r: 5, symbol: 'kind', tip: true, title: (d: (typeof points)[number]) => `${d.party}: ${d.kind}, stated ${d.stated.toISOString().slice(0, 10)}, recorded ${d.recorded.toISOString()}` })],
  });
  return (
    <figure>
      <figcaption>Timeline: stated time against recorded time</figcaption>
      <PlotChart label={`Stated against recorded time for ${points.length} entries`} options={options} redrawKey={JSON.stringify(points)} />
      <details>
        <summary>Entries as a list</summary>
        <ol className="small">
          {entries.map((e) => (
            <li key={e.eventId}>
              {e.statedAt ? `stated ${formatPoint(e.statedAt)}, ` : ''}recorded {e.recordedAt} (position {e.position}): {e.summary}
            </li>
          ))}
        </ol>
      </details>
    </figure>
  );
});

const AsOf = ({ entries, partial, onCut }: { entries: TimelineEntry[]; partial: boolean; onCut: (query: Cut['query'] | undefined, label: string) => void }) => {
  const [clock, setClock] = useState<Clock>('recorded');
  const cuts = useMemo(() => cutsOf(entries, clock), [entries, clock]);
  const [index, setIndex] = useState<number | undefined>(undefined);
  const now = index === undefined || index >= cuts.length;
  useEffect(() => {
    if (now) onCut(undefined, 'now');
    else onCut(cuts[index!].query, cuts[index!].label);
  }, [index, clock, cuts.length]);
  return (
    <fieldset className="as-of">
      <legend>As of (auditors)</legend>
      <label>
        Clock{' '}
        <select
          name="clock"
          value={clock}
          onChange={(e) => {
            setClock(e.target.value as Clock);
            setIndex(undefined);
          }}
        >
          <option value="recorded">recorded (as the ledger knew it)</option>
          <option value="stated">stated (what parties had said)</option>
          <option value="position">log position</option>
        </select>
      </label>
      <label className="slider">
        <span>{now ? 'now' : cuts[index!].label}</span>
        <input
          type="range"
          name="asOf"
          aria-label="As of"
          min={0}
          max={cuts.length}
          step={1}
          value={index ?? cuts.length}
          aria-valuetext={now ? 'now' : cuts[index!].label}
          onChange={(e) => setIndex(Number(e.target.value))}
        />
      </label>
      {partial && <p className="small muted">The stops are the moments of the timeline entries loaded so far; load more of the timeline for later stops.</p>}
      {!now && (
        <button type="button" onClick={() => setIndex(undefined)}>
          Back to now
        </button>
      )}
    </fieldset>
  );
};

/** Only claims graded at least so well count in the matrix, the claims and the disagreements (the server computes them). */
const MinGradeFilter = ({ value, onChange }: { value: MinGrade; onChange: (next: MinGrade) => void }) => (
  <fieldset className="min-grade">
    <legend>Minimum grade of sources</legend>
    <label>
      Reliability{' '}
      <select name="minReliability" value={value.minReliability ?? ''} onChange={(e) => onChange({ ...value, minReliability: parseReliability(e.target.value) })}>
        <option value="">any, ungraded included</option>
        {RELIABILITIES.map(([r, words]) => (
          <option key={r} value={r}>
            {r} or better ({words})
          </option>
        ))}
      </select>
    </label>{' '}
    <label>
      Credibility{' '}
      <select name="minCredibility" value={value.minCredibility ?? ''} onChange={(e) => onChange({ ...value, minCredibility: parseCredibility(e.target.value) })}>
        <option value="">any, ungraded included</option>
        {CREDIBILITIES.map(([c, words]) => (
          <option key={c} value={c}>
            {c} or better ({words})
          </option>
        ))}
      </select>
    </label>
    {(value.minReliability !== undefined || value.minCredibility !== undefined) && <p className="small muted">Ungraded claims are left out; denials count when the claim they deny does.</p>}
  </fieldset>
);

/** Entries per page: an incident of a thousand claims opens on its first page, the rest on demand. */
export const VERSIONS_PAGE = 100;
export const TIMELINE_PAGE = 250;

export const IncidentPage = ({ incidentId }: { incidentId: string }) => {
  const { client, can } = useLedger();
  const { nameOf, learn } = useParties();
  const [minGrade, setMinGrade] = useState<MinGrade>({});
  const versions = usePagedEntries(
    (after) =>
      must(client.GET('/incidents/{incidentId}/versions', { params: { path: { incidentId }, query: { limit: VERSIONS_PAGE, ...minGradeQuery(minGrade), ...(after ? { after } : {}) } } })),
    [incidentId, minGrade.minReliability, minGrade.minCredibility],
    (a, b) => a.revision === b.revision && a.page.next === b.page.next,
  );
  const timeline = usePagedEntries(
    (after) => must(client.GET('/incidents/{incidentId}/timeline', { params: { path: { incidentId }, query: { limit: TIMELINE_PAGE, ...(after ? { after } : {}) } } })),
    [incidentId],
    (a, b) => a.lastPosition === b.lastPosition && a.page.next === b.page.next,
  );
  const merged = useMemo(() => (versions.pages ? mergeVersionsPages(versions.pages) : undefined), [versions.pages]);
  const entries = useMemo(() => (timeline.pages ? mergeTimelinePages(timeline.pages) : undefined), [timeline.pages]);
  useLearnNames(merged?.partyNames);
  useLearnNames(timeline.pages?.at(-1)?.partyNames);
  const [cut, setCut] = useState<{ query: Cut['query']; label: string } | undefined>();
  // The incident as of the cut, a page of claims and denials at a time (each page a fold of the log on the server).
  const [pastPages, setPastPages] = useState<VersionsAsOfDoc[] | undefined>();
  const [pastLoading, setPastLoading] = useState(false);
  const [pastError, setPastError] = useState<string>();
  const past = useMemo(() => (pastPages ? mergeVersionsPages(pastPages) : undefined), [pastPages]);
  const [news, setNews] = useState<{ event: FeedEvent; position: string }[]>([]);

  const reloadTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const awaited = useRef(0n);
  /**
   * The feed can tell of an event before the read models hold it: the pages are read again until they show the
   * incident at the latest position announced (a few tries, a quarter second apart), then the timeline.
   */
  const catchUp = useCallback(async () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const pages = await versions.refresh();
      if (!pages || BigInt(pages[0].lastPosition) >= awaited.current) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await timeline.refresh();
  }, [versions.refresh, timeline.refresh]);
  const onEvent = useCallback(
    (event: FeedEvent, position: string) => {
      setNews((n) => [{ event, position }, ...n].slice(0, 5));
      if (/^\d+$/.test(position) && BigInt(position) > awaited.current) awaited.current = BigInt(position);
      // A party registered since the page loaded is named by the event itself.
      if (event.data && typeof event.data.name === 'string' && typeof event.data.partyId === 'string') learn({ [event.data.partyId]: event.data.name });
      // A burst of events gives one reload of the pages shown, a few milliseconds after the last.
      clearTimeout(reloadTimer.current);
      reloadTimer.current = setTimeout(() => void catchUp(), 50);
    },
    [catchUp, learn],
  );
  // The stream starts where the read models stood when the page asked (never before the incident's last entry): the
  // ledger then has little to catch up. Entries recorded between the page's reads and that position are picked up by
  // the quiet refresh when the stream opens.
  const [liveFrom, setLiveFrom] = useState<string>();
  const incidentLast = versions.pages?.[0]?.lastPosition;
  useEffect(() => {
    if (incidentLast === undefined || liveFrom !== undefined) return;
    let current = true;
    void readModelsPosition().then((reached) => {
      const last = BigInt(incidentLast);
      if (current) setLiveFrom((reached !== undefined && reached > last ? reached : last).toString());
    });
    return () => {
      current = false;
    };
  }, [incidentLast, liveFrom]);
  const onOpen = useCallback(() => void catchUp(), [catchUp]);
  const live = useLiveFeed(incidentId, liveFrom, onEvent, onOpen);

  const pastGeneration = useRef(0);
  const loadPast = useCallback(
    (pagesBefore: VersionsAsOfDoc[]) => {
      if (!cut) return;
      const mine = ++pastGeneration.current;
      const after = pagesBefore.at(-1)?.page?.next ?? undefined;
      setPastError(undefined);
      setPastLoading(true);
      must(client.GET('/audit/incidents/{incidentId}/versions', { params: { path: { incidentId }, query: { ...cut.query, limit: VERSIONS_PAGE, ...(after ? { after } : {}) } } })).then(
        (doc) => mine === pastGeneration.current && (setPastPages([...pagesBefore, doc]), setPastLoading(false)),
        (e: unknown) => mine === pastGeneration.current && (setPastError(String(e)), setPastLoading(false)),
      );
    },
    [cut, client, incidentId],
  );
  useEffect(() => {
    // A new cut keeps the last one's pages in view until its own first page comes: the slider stepping over a large
    // incident does not flash the present between two moments.
    if (cut) {
      loadPast([]);
      return;
    }
    pastGeneration.current++;
    setPastPages(undefined);
  }, [loadPast]);
  useLearnNames(past?.partyNames);
  useReadyMark('dashboard:incident-ready', merged !== undefined && entries !== undefined);

  const asOfQuery = cut && past ? cut.query : undefined;
  const shownEntries = useMemo(() => (entries ? entriesAsOf(entries, asOfQuery) : undefined), [entries, asOfQuery]);
  const doc: VersionsDoc | undefined = merged;
  if (!doc) return versions.error ? <ErrorNote error={versions.error} /> : <p aria-live="polite">Loading…</p>;
  // Everything below the slider follows it: the matrix, the claims, the location panel and the timeline chart.
  const shown: VersionsLike & { incident: VersionsDoc['incident'] } = cut && past ? past : doc;
  const incident = doc.incident;
  const shownIncident = shown.incident ?? incident;
  const locations = shown.parties.flatMap((p) => {
    const held = (p.currentAccount as { location?: { value: unknown } }).location;
    return held ? [{ label: nameOf(p.partyId), text: describeAssertion('location', held.value as never, nameOf), place: held.value as never }] : [];
  });

  const claimsLoaded = doc.parties.reduce((n, p) => n + p.claims.length + p.denialsMade.length, 0);
  return (
    <>
      <h1>{incident?.title ?? incidentId}</h1>
      {incident && (
        <p>
          {incident.summary} <span className="muted">({[incident.category.eventType ?? 'not coded', incident.category.subEventType, ...incident.category.tags.map((t) => `#${t}`)].filter(Boolean).join(' ')}; happened {incident.occurred.from}{incident.occurred.to !== incident.occurred.from ? ` to ${incident.occurred.to}` : ''}, {incident.occurred.precision})</span>
        </p>
      )}
      <p className="muted small" aria-live="polite">
        Revision {doc.revision} · position {doc.lastPosition} ·{' '}
        <span className={`live live-${live}`}>{live === 'off' ? 'live updates off (this token reads no feed)' : `live: ${live}`}</span>
        {news.length > 0 && (
          <>
            {' '}
            · latest: <span className="news">{describeFeedEvent(news[0].event, nameOf)}</span> <span className="muted">(position {news[0].position})</span>
          </>
        )}
      </p>
      {can('recorder') && (
        <p className="actions">
          <a href={href('incidents', incidentId, 'record', 'claim')}>Record a claim</a>
          <a href={href('incidents', incidentId, 'record', 'amend')}>Amend an entry</a>
        </p>
      )}
      {can('auditor') && entries && (
        <AsOf entries={entries} partial={timeline.hasMore} onCut={(query, label) => setCut(query ? { query, label } : undefined)} />
      )}
      {!cut && <MinGradeFilter value={minGrade} onChange={setMinGrade} />}
      <h2>Who says what {cut && <span className="as-of-label">as of {cut.label}</span>}</h2>
      <ErrorNote error={pastError} />
      <Matrix doc={shown} incidentId={incidentId} />
      <div className="two-col">
        <section aria-labelledby="where">
          <h2 id="where">Where {cut && <span className="as-of-label">as of {cut.label}</span>}</h2>
          {shownIncident && <LocationPanel reported={shownIncident.location} claimed={locations} />}
        </section>
        <section aria-labelledby="when">
          <h2 id="when">When it was said {cut && <span className="as-of-label">as of {cut.label}</span>}</h2>
          <ErrorNote error={timeline.error} />
          {shownEntries && <TimelineChart entries={shownEntries} />}
          {timeline.hasMore && (
            <p className="small">
              {entries?.length} timeline entries loaded.{' '}
              <button type="button" onClick={timeline.more} disabled={timeline.loading}>
                Load {TIMELINE_PAGE} more
              </button>
            </p>
          )}
        </section>
      </div>
      <h2>Each party's claims {cut && <span className="as-of-label">as of {cut.label}</span>}</h2>
      {!cut && versions.hasMore && (
        <p className="muted" data-testid="claims-paging">
          The first {claimsLoaded} claims and denials of this incident are listed; the matrix and the disagreements cover all of them.
        </p>
      )}
      {cut && pastPages?.at(-1)?.page?.next && (
        <p className="muted" data-testid="past-claims-paging">
          As of {cut.label}, the first {past!.parties.reduce((n, p) => n + p.claims.length + p.denialsMade.length, 0)} claims and denials are listed; the matrix and the
          disagreements cover all of them.
        </p>
      )}
      {shown.parties.map((p) => (
        <PartyClaims key={p.partyId} party={p} incidentId={incidentId} />
      ))}
      {cut && pastPages?.at(-1)?.page?.next && (
        <p>
          <button type="button" onClick={() => loadPast(pastPages)} disabled={pastLoading}>
            Show the next {VERSIONS_PAGE} claims and denials as of {cut.label}
          </button>
        </p>
      )}
      {!cut && versions.hasMore && (
        <p>
          <button type="button" onClick={versions.more} disabled={versions.loading}>
            Show the next {VERSIONS_PAGE} claims and denials
          </button>
        </p>
      )}
    </>
  );
};
