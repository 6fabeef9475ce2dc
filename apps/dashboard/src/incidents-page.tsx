import { useEffect, useMemo, useState } from 'react';
import type { paths } from '../generated/api-schema';
import { clientFor, useLedger, type LedgerClient } from './ledger-client';
import { ACTIVITY_KINDS, activityBars, byBucket, byCategory, byParty } from './model/activity';
import type { IncidentListItem } from './model/api-types';
import { PlotChart } from './plot-chart';
import { ErrorNote, href, must, useLearnNames, useLoad, useParties, useReadyMark } from './ui-kit';

// ACLED's event types and sub-event types (the ledger's taxonomy of incidents; tags say the rest).
const CATEGORIES = ['battles', 'explosions-remote-violence', 'violence-against-civilians', 'protests', 'riots', 'strategic-developments'] as const;
type Category = (typeof CATEGORIES)[number];
const PAGE = 100;

type ListQuery = NonNullable<paths['/incidents']['get']['parameters']['query']>;
const readListPage = (client: LedgerClient, query: ListQuery) => client.GET('/incidents', { params: { query } });

/**
 * The list's first page, asked for as the script starts (main.tsx) when the page opens on the list with a session:
 * otherwise a cold opening asks only after React's first render and effects, 100-200 ms later on the 2-core
 * development machine. Taken once, by the list's first read with the same token; any other read asks for itself.
 */
let early: { token: string; answer: ReturnType<typeof readListPage> } | undefined;
export const readListEarly = (token: string): void => {
  early = { token, answer: readListPage(clientFor(token), { limit: PAGE, offset: 0 }) };
  // Not taken (another page opened first, a token changed): its failure is nobody's to report.
  early.answer.catch(() => undefined);
};
const takeEarly = (token: string): ReturnType<typeof readListPage> | undefined => {
  const taken = early;
  early = undefined;
  return taken?.token === token ? taken.answer : undefined;
};
type ActivityClock = 'occurred' | 'stated' | 'recorded';
type Bucket = 'day' | 'week' | 'month';

/** A row's activity as a tiny bar strip: claims, denials, corrections, retractions. */
const Activity = ({ i }: { i: IncidentListItem }) => {
  const bars = [
    ['claims', i.counts.claims],
    ['denials', i.counts.denials],
    ['corrections', i.counts.corrections],
    ['retractions', i.counts.retractions],
  ] as const;
  const max = Math.max(1, ...bars.map(([, n]) => n));
  return (
    <svg className="spark" width="64" height="18" role="img" aria-label={bars.map(([k, n]) => `${n} ${k}`).join(', ')}>
      {bars.map(([k, n], x) => (
        <rect key={k} className={`spark-${k}`} x={x * 16} y={18 - (16 * n) / max} width="12" height={(16 * n) / max} />
      ))}
    </svg>
  );
};

/** The value a moment after the last change: a search box asks the ledger once the typing pauses, not per key. */
const useSettled = <T,>(value: T, ms: number): T => {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
};

export const IncidentsPage = () => {
  const { client, session } = useLedger();
  const { nameOf } = useParties();
  const [party, setParty] = useState('');
  const [category, setCategory] = useState<Category | ''>('');
  const [contested, setContested] = useState<'' | 'true' | 'false'>('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [search, setSearch] = useState('');
  const q = useSettled(search.trim(), 250);
  const [offset, setOffset] = useState(0);
  // A changed filter starts again at the first page.
  const firstPage =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      setOffset(0);
      set(value);
    };
  useEffect(() => setOffset(0), [q]);
  const [clock, setClock] = useState<ActivityClock>('stated');
  const [bucket, setBucket] = useState<Bucket>('month');

  // Every filter, the search included, is applied by the ledger over the whole list: the page holds one page of it.
  const filters = {
    ...(party ? { party } : {}),
    ...(category ? { category } : {}),
    ...(contested ? { contested: contested === 'true' } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(q ? { q } : {}),
  };
  const list = useLoad(
    () => must((offset === 0 && Object.keys(filters).length === 0 ? takeEarly(session.token) : undefined) ?? readListPage(client, { limit: PAGE, offset, ...filters })),
    [party, category, contested, from, to, q, offset],
  );
  // The list first: the statistics behind the tiles, charts and party picker (each a GROUP BY over every entry) are
  // asked for once it is shown, so that on a large ledger they do not queue ahead of it.
  const listed = list.data !== undefined || list.error !== undefined;
  const afterList = <T,>(load: () => Promise<T>) => (): Promise<T> => (listed ? load() : new Promise<T>(() => undefined));
  const contestedCount = useLoad(
    afterList(() => (contested === 'false' ? Promise.resolve({ total: 0 }) : must(client.GET('/incidents', { params: { query: { ...filters, contested: true, limit: 1 } } })))),
    [party, category, contested, from, to, q, listed],
  );
  const items = list.data?.items ?? [];
  useReadyMark('dashboard:incidents-ready', list.data !== undefined);
  useLearnNames(useMemo(() => Object.assign({}, ...items.map((i) => i.partyNames)) as Record<string, string | null>, [list.data]));
  // The parties to filter by: those with any entry, one aggregate row each (with its name), not every party record.
  const speakers = useLoad(afterList(() => must(client.GET('/stats/activity', { params: { query: { bucket: 'none', by: 'party', clock: 'recorded' } } }))), [listed]);
  const partyOptions = useMemo(
    () => (speakers.data?.rows ?? []).flatMap((r) => (r.partyId ? [{ partyId: r.partyId, name: r.partyName ?? r.partyId }] : [])).sort((a, b) => a.name.localeCompare(b.name)),
    [speakers.data],
  );

  // Tiles and charts are counted by the ledger over every incident (GET /stats), not summed from the page shown. The
  // statistics take the party, category and occurred range; the contested filter narrows the list only.
  const statsFilter = { ...(party ? { party } : {}), ...(category ? { category } : {}) };
  const occurredRange = { ...(from ? { from } : {}), ...(to ? { to } : {}) };
  const overTime = useLoad(
    afterList(() => must(client.GET('/stats/activity', { params: { query: { bucket, by: 'none', clock, ...statsFilter } } }))),
    [party, category, bucket, clock, listed],
  );
  const perParty = useLoad(
    afterList(() => must(client.GET('/stats/activity', { params: { query: { bucket: 'none', by: 'party', clock: 'occurred', ...statsFilter, ...occurredRange } } }))),
    [party, category, from, to, listed],
  );
  const perCategory = useLoad(
    afterList(() => must(client.GET('/stats/activity', { params: { query: { bucket: 'none', by: 'category', clock: 'occurred', ...statsFilter, ...occurredRange } } }))),
    [party, category, from, to, listed],
  );
  const incidentsByMonth = useLoad(
    afterList(() => must(client.GET('/stats/incidents-contested', { params: { query: { bucket: 'month', clock: 'occurred', ...(category ? { category } : {}), ...occurredRange } } }))),
    [category, from, to, listed],
  );
  const activity = useMemo(() => activityBars(overTime.data?.rows ?? [], byBucket), [overTime.data]);
  const activityByParty = useMemo(() => activityBars(perParty.data?.rows ?? [], byParty), [perParty.data]);
  const activityByCategory = useMemo(() => activityBars(perCategory.data?.rows ?? [], byCategory), [perCategory.data]);
  const byMonth = useMemo(
    () =>
      (incidentsByMonth.data?.rows ?? []).flatMap((r) => [
        { month: (r.bucket ?? '').slice(0, 7), state: 'contested', incidents: r.contested },
        { month: (r.bucket ?? '').slice(0, 7), state: 'uncontested', incidents: r.uncontested },
      ]),
    [incidentsByMonth.data],
  );
  // The tiles' totals are those of either breakdown on the same clock and filters (each counts every entry once, in
  // one party's or one category's row). A read of their own was a fifth of the ledger's time answering the page's
  // statistics (114-133 of 608-641 ms on 10,000 incidents), spent while the page is being drawn.
  const sum = (perParty.data ?? perCategory.data)?.totals;
  const partyRows = perParty.data?.rows ?? [];

  return (
    <>
      <h1>Incidents</h1>
      <section aria-label="Totals" className="tiles">
        {(
          [
            ['Incidents', list.data?.total ?? 0],
            ['Contested', contestedCount.data?.total ?? 0],
            ['Claims', sum?.claims ?? 0],
            ['Denials', sum?.denials ?? 0],
            ['Corrections', sum?.corrections ?? 0],
            ['Retractions', sum?.retractions ?? 0],
          ] as const
        ).map(([k, n]) => (
          <div className="tile" key={k}>
            <span className="tile-n">{n}</span>
            <span className="tile-k">{k}</span>
          </div>
        ))}
      </section>
      <form className="filters" role="search" aria-label="Filter incidents" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search
          <input type="search" name="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="title, summary, place, party" />
        </label>
        <label>
          Party
          <select name="party" value={party} onChange={(e) => firstPage(setParty)(e.target.value)}>
            <option value="">any</option>
            {partyOptions.map((p) => (
              <option key={p.partyId} value={p.partyId}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Category
          <select name="category" value={category} onChange={(e) => firstPage(setCategory)(e.target.value as Category | '')}>
            <option value="">any</option>
            {CATEGORIES.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <label>
          Contested
          <select name="contested" value={contested} onChange={(e) => firstPage(setContested)(e.target.value as '' | 'true' | 'false')}>
            <option value="">either</option>
            <option value="true">contested</option>
            <option value="false">uncontested</option>
          </select>
        </label>
        <label>
          Occurred from
          <input type="date" name="from" value={from} onChange={(e) => firstPage(setFrom)(e.target.value)} />
        </label>
        <label>
          to
          <input type="date" name="to" value={to} onChange={(e) => firstPage(setTo)(e.target.value)} />
        </label>
      </form>
      <ErrorNote error={list.error} />
      <p aria-live="polite" className="muted">
        {list.loading
          ? 'Loading…'
          : (list.data?.total ?? 0) === 0
            ? `No incident matches${q ? ` “${q}”` : ''}.`
            : `${offset + 1}–${offset + items.length} of ${list.data?.total ?? 0} incidents${q ? ` matching “${q}”` : ''}`}
      </p>
      {(list.data?.total ?? 0) > PAGE && (
        <nav aria-label="Pages of incidents" className="actions">
          <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
            Previous {PAGE}
          </button>
          <button type="button" disabled={offset + PAGE >= (list.data?.total ?? 0)} onClick={() => setOffset(offset + PAGE)}>
            Next {PAGE}
          </button>
        </nav>
      )}
      <ul className="incident-list">
        {items.map((i) => (
          <li key={i.incidentId}>
            <a href={href('incidents', i.incidentId)} className="incident-title">
              {i.title}
            </a>
            {i.contested && <span className="badge disputed">contested ({i.disagreementCount})</span>}
            <div className="muted">
              {[i.category.eventType ?? 'not coded', i.category.subEventType].filter(Boolean).join('/')} · {i.occurred.from}
              {i.occurred.to !== i.occurred.from ? ` to ${i.occurred.to}` : ''} · {i.location.name}
            </div>
            <div className="row-meta">
              <Activity i={i} />
              <span>
                {i.counts.claims} claims, {i.counts.denials} denials, {i.counts.corrections} corrections, {i.counts.retractions} retractions ·{' '}
                {i.partyIds.map(nameOf).join(', ')}
              </span>
            </div>
          </li>
        ))}
      </ul>
      {(list.data?.total ?? 0) > 0 && (
        <section className="charts" aria-label="Charts">
          <figure>
            <figcaption>Incidents by month of occurrence, contested or not</figcaption>
            <PlotChart
              label={`Incidents by month of occurrence: ${byMonth.map((m) => `${m.month} ${m.incidents} ${m.state}`).join(', ')}`}
              redrawKey={JSON.stringify(byMonth)}
              pending={incidentsByMonth.data === undefined}
              options={(Plot) => ({
                height: 180,
                color: { legend: true, domain: ['contested', 'uncontested'] },
                x: { type: 'band', label: null },
                y: { grid: true, label: 'incidents' },
                marks: [Plot.barY(byMonth, { x: 'month', y: 'incidents', fill: 'state', tip: true }), Plot.ruleY([0])],
              })}
            />
          </figure>
          <figure className="wide">
            <figcaption>Claims, denials, corrections and retractions over time</figcaption>
            <div className="filters">
              <label>
                Clock
                <select name="activityClock" value={clock} onChange={(e) => setClock(e.target.value as ActivityClock)}>
                  <option value="stated">stated (when parties spoke)</option>
                  <option value="recorded">recorded (when the ledger learnt it)</option>
                  <option value="occurred">occurred (when the incident happened)</option>
                </select>
              </label>
              <label>
                Per
                <select name="activityBucket" value={bucket} onChange={(e) => setBucket(e.target.value as Bucket)}>
                  <option value="day">day</option>
                  <option value="week">week</option>
                  <option value="month">month</option>
                </select>
              </label>
            </div>
            <PlotChart
              label={`Activity per ${bucket} on the ${clock} clock: ${activity.map((a) => `${a.key} ${a.count} ${a.kind}`).join(', ')}`}
              redrawKey={JSON.stringify(activity)}
              pending={overTime.data === undefined}
              options={(Plot) => ({
                height: 200,
                color: { legend: true, domain: [...ACTIVITY_KINDS] },
                x: { type: 'band', label: null, tickFormat: (d: string) => d.slice(0, bucket === 'month' ? 7 : 10) },
                y: { grid: true, label: 'entries' },
                marks: [Plot.barY(activity, { x: 'key', y: 'count', fill: 'kind', tip: true }), Plot.ruleY([0])],
              })}
            />
          </figure>
          <figure className="wide">
            <figcaption>Activity by party (a denial counts for the denier)</figcaption>
            <PlotChart
              label={`Activity by party: ${activityByParty.map((a) => `${a.key} ${a.count} ${a.kind}`).join(', ')}`}
              redrawKey={JSON.stringify(activityByParty)}
              pending={perParty.data === undefined}
              options={(Plot) => ({
                height: 40 + 26 * new Set(activityByParty.map((a) => a.key)).size,
                marginLeft: 260,
                color: { legend: true, domain: [...ACTIVITY_KINDS] },
                x: { grid: true, label: 'entries' },
                y: { label: null },
                marks: [Plot.barX(activityByParty, { y: 'key', x: 'count', fill: 'kind', tip: true })],
              })}
            />
          </figure>
          <figure>
            <figcaption>Activity by incident category</figcaption>
            <PlotChart
              label={`Activity by category: ${activityByCategory.map((a) => `${a.key} ${a.count} ${a.kind}`).join(', ')}`}
              redrawKey={JSON.stringify(activityByCategory)}
              pending={perCategory.data === undefined}
              options={(Plot) => ({
                height: 40 + 28 * new Set(activityByCategory.map((a) => a.key)).size,
                marginLeft: 150,
                color: { domain: [...ACTIVITY_KINDS] },
                x: { grid: true, label: 'entries' },
                y: { label: null },
                marks: [Plot.barX(activityByCategory, { y: 'key', x: 'count', fill: 'kind', tip: true })],
              })}
            />
          </figure>
          <figure>
            <figcaption>Claims, denials, corrections and retractions by party</figcaption>
            <div className="table-scroll" tabIndex={0} role="region" aria-label="By party">
              <table className="compact">
                <thead>
                  <tr>
                    <th scope="col">Party</th>
                    <th scope="col">Claims</th>
                    <th scope="col">Denials made</th>
                    <th scope="col">Corrections</th>
                    <th scope="col">Retractions</th>
                  </tr>
                </thead>
                <tbody>
                  {partyRows.map((p) => (
                    <tr key={p.partyId}>
                      <th scope="row">{byParty(p)}</th>
                      <td>{p.claims}</td>
                      <td>{p.denials}</td>
                      <td>{p.corrections}</td>
                      <td>{p.retractions}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </figure>
        </section>
      )}
    </>
  );
};
