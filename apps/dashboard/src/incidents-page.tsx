import { useMemo, useState } from 'react';
import { useLedger } from './ledger-client';
import { activityOf, countByBucket, type ActivityClock, type Bucket } from './model/activity';
import type { IncidentListItem } from './model/api-types';
import { Plot, PlotChart } from './plot-chart';
import { ErrorNote, href, must, useLoad, useParties } from './ui-kit';

const CATEGORIES = ['ceasefire-violation', 'armed-clash', 'shelling', 'airstrike', 'attack-on-civilians', 'explosion', 'other'] as const;
type Category = (typeof CATEGORIES)[number];
const PAGE = 100;

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

export const IncidentsPage = () => {
  const { client } = useLedger();
  const { parties, nameOf } = useParties();
  const [party, setParty] = useState('');
  const [category, setCategory] = useState<Category | ''>('');
  const [contested, setContested] = useState<'' | 'true' | 'false'>('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [search, setSearch] = useState('');
  const [offset, setOffset] = useState(0);
  // A changed filter starts again at the first page.
  const firstPage =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      setOffset(0);
      set(value);
    };
  const [clock, setClock] = useState<ActivityClock>('stated');
  const [bucket, setBucket] = useState<Bucket>('month');

  const list = useLoad(
    () =>
      must(
        client.GET('/incidents', {
          params: {
            query: {
              limit: PAGE,
              offset,
              ...(party ? { party } : {}),
              ...(category ? { category } : {}),
              ...(contested ? { contested: contested === 'true' } : {}),
              ...(from ? { from } : {}),
              ...(to ? { to } : {}),
            },
          },
        }),
      ),
    [party, category, contested, from, to, offset],
  );
  const items = useMemo(() => {
    const needle = search.trim().toLowerCase();
    const all = list.data?.items ?? [];
    return needle ? all.filter((i) => `${i.title} ${i.summary} ${i.location.name}`.toLowerCase().includes(needle)) : all;
  }, [list.data, search]);

  // Tiles are summed here from the list (at most one page of it); GET /stats (branch dashboard-api) will serve them
  // from the read models instead, over every incident.
  const totals = items.reduce(
    (t, i) => ({
      claims: t.claims + i.counts.claims,
      denials: t.denials + i.counts.denials,
      corrections: t.corrections + i.counts.corrections,
      retractions: t.retractions + i.counts.retractions,
      contested: t.contested + (i.contested ? 1 : 0),
    }),
    { claims: 0, denials: 0, corrections: 0, retractions: 0, contested: 0 },
  );
  const byCategory = CATEGORIES.map((c) => ({ category: c, incidents: items.filter((i) => i.category === c).length })).filter((c) => c.incidents > 0);
  const byMonth = useMemo(() => {
    const m = new Map<string, number>();
    for (const i of items) m.set(i.occurredRange.start.slice(0, 7), (m.get(i.occurredRange.start.slice(0, 7)) ?? 0) + 1);
    return [...m].sort().map(([month, incidents]) => ({ month, incidents }));
  }, [items]);
  const points = useMemo(() => activityOf(parties, clock), [parties, clock]);
  const activity = useMemo(() => countByBucket(points, bucket, new Set(items.map((i) => i.incidentId))), [points, bucket, items]);
  const activityByParty = useMemo(() => {
    const shown = new Set(items.map((i) => i.incidentId));
    const m = new Map<string, number>();
    for (const p of points) if (shown.has(p.incidentId)) m.set(`${p.partyId}|${p.kind}`, (m.get(`${p.partyId}|${p.kind}`) ?? 0) + 1);
    return [...m].map(([k, count]) => ({ party: nameOf(k.split('|')[0]), kind: k.split('|')[1], count }));
  }, [points, items, nameOf]);
  const byParty = parties
    .filter((p) => p.counts.claims + p.counts.denialsMade > 0)
    .map((p) => ({ party: p.name, claims: p.counts.claims, denials: p.counts.denialsMade, corrections: p.counts.corrections, retractions: p.counts.retractions }));

  return (
    <>
      <h1>Incidents</h1>
      <section aria-label="Totals" className="tiles">
        {(
          [
            ['Incidents', list.data?.total ?? 0],
            ['Contested', totals.contested],
            ['Claims', totals.claims],
            ['Denials', totals.denials],
            ['Corrections', totals.corrections],
            ['Retractions', totals.retractions],
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
          <input type="search" name="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="title, summary, place" />
        </label>
        <label>
          Party
          <select name="party" value={party} onChange={(e) => firstPage(setParty)(e.target.value)}>
            <option value="">any</option>
            {parties.map((p) => (
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
          : `${items.length} shown, ${offset + 1}–${Math.min(offset + PAGE, list.data?.total ?? 0)} of ${list.data?.total ?? 0} incidents${search ? ' (search looks within this page)' : ''}`}
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
              {i.category} · {i.occurred.from}
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
      {items.length > 0 && (
        <section className="charts" aria-label="Charts">
          <figure>
            <figcaption>Incidents by month of occurrence</figcaption>
            <PlotChart
              label="Incidents by month of occurrence"
              redrawKey={JSON.stringify(byMonth)}
              options={{ height: 160, x: { type: 'band', label: null }, y: { grid: true, label: 'incidents' }, marks: [Plot.barY(byMonth, { x: 'month', y: 'incidents', fill: 'var(--accent)' }), Plot.ruleY([0])] }}
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
              label={`Activity per ${bucket} on the ${clock} clock: ${activity.map((a) => `${a.bucket} ${a.count} ${a.kind}`).join(', ')}`}
              options={{
                height: 200,
                color: { legend: true, domain: ['claims', 'denials', 'corrections', 'retractions'] },
                x: { type: 'band', label: null, tickFormat: (d: string) => d.slice(0, bucket === 'month' ? 7 : 10) },
                y: { grid: true, label: 'entries' },
                marks: [Plot.barY(activity, { x: 'bucket', y: 'count', fill: 'kind', tip: true }), Plot.ruleY([0])],
              }}
            />
          </figure>
          <figure className="wide">
            <figcaption>Activity by party</figcaption>
            <PlotChart
              label={`Activity by party: ${activityByParty.map((a) => `${a.party} ${a.count} ${a.kind}`).join(', ')}`}
              options={{
                height: 40 + 26 * new Set(activityByParty.map((a) => a.party)).size,
                marginLeft: 260,
                color: { legend: true, domain: ['claims', 'denials', 'corrections', 'retractions'] },
                x: { grid: true, label: 'entries' },
                y: { label: null },
                marks: [Plot.barX(activityByParty, { y: 'party', x: 'count', fill: 'kind', tip: true })],
              }}
            />
          </figure>
          <figure>
            <figcaption>Incidents by category</figcaption>
            <PlotChart
              label={`Incidents by category: ${byCategory.map((c) => `${c.category} ${c.incidents}`).join(', ')}`}
              options={{ height: 40 + 28 * byCategory.length, marginLeft: 150, x: { grid: true, label: 'incidents' }, y: { label: null }, marks: [Plot.barX(byCategory, { y: 'category', x: 'incidents', fill: 'var(--accent)' })] }}
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
                {byParty.map((p) => (
                  <tr key={p.party}>
                    <th scope="row">{p.party}</th>
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
