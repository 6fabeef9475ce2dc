import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useLedger } from './ledger-client';
import type { PartyVersion, TimelineEntry, VersionsAsOfDoc, VersionsDoc } from './model/api-types';
import { cutsOf, type Clock } from './model/as-of-cuts';
import { buildMatrix, describeAssertion, formatPoint, MATRIX_COLUMNS, type VersionsLike } from './model/who-says-what';
import { useLiveFeed } from './live-feed';
import { LocationPanel } from './location-panel';
import { Plot, PlotChart } from './plot-chart';
import { ErrorNote, href, must, useLoad, useParties } from './ui-kit';

const Matrix = ({ doc, incidentId }: { doc: VersionsLike; incidentId: string }) => {
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
};

const PartyClaims = ({ party, incidentId }: { party: PartyVersion; incidentId: string }) => {
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
};

/** Stated time (when the party says it spoke) against recorded time (when the ledger learnt it): a late statement about an early date stands out. */
const TimelineChart = ({ entries }: { entries: TimelineEntry[] }) => {
  const { nameOf } = useParties();
  const points = entries
    .filter((e) => e.statedAt && e.partyId)
    .map((e) => ({ party: nameOf(e.partyId!), stated: new Date(e.statedAt!.at), recorded: new Date(e.recordedAt), kind: e.kind, version: 'version' in e ? e.version : undefined }));
  const options = useMemo(
    () => ({
      height: 240,
      marginLeft: 70,
      color: { legend: true, type: 'categorical' as const },
      x: { type: 'utc' as const, label: 'stated time →', grid: true },
      y: { type: 'utc' as const, label: '↑ recorded time', grid: true },
      marks: [Plot.dot(points, { x: 'stated', y: 'recorded', stroke: 'party', fill: 'party', r: 5, symbol: 'kind', tip: true, title: (d: (typeof points)[number]) => `${d.party}: ${d.kind}, stated ${d.stated.toISOString().slice(0, 10)}, recorded ${d.recorded.toISOString()}` })],
    }),
    [JSON.stringify(points)],
  );
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
};

const AsOf = ({ entries, onCut }: { entries: TimelineEntry[]; onCut: (query: Record<string, string> | undefined, label: string) => void }) => {
  const [clock, setClock] = useState<Clock>('recorded');
  const cuts = useMemo(() => cutsOf(entries, clock), [entries, clock]);
  const [index, setIndex] = useState<number | undefined>(undefined);
  const now = index === undefined || index >= cuts.length;
  useEffect(() => {
    if (now) onCut(undefined, 'now');
    else onCut(cuts[index!].query as Record<string, string>, cuts[index!].label);
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
      {!now && (
        <button type="button" onClick={() => setIndex(undefined)}>
          Back to now
        </button>
      )}
    </fieldset>
  );
};

export const IncidentPage = ({ incidentId }: { incidentId: string }) => {
  const { client, can } = useLedger();
  const { nameOf } = useParties();
  const versions = useLoad(() => must(client.GET('/incidents/{incidentId}/versions', { params: { path: { incidentId }, query: { limit: 1000 } } })), [incidentId]);
  const timeline = useLoad(() => must(client.GET('/incidents/{incidentId}/timeline', { params: { path: { incidentId }, query: { limit: 1000 } } })), [incidentId]);
  const [cut, setCut] = useState<{ query: Record<string, string>; label: string } | undefined>();
  const [past, setPast] = useState<VersionsAsOfDoc | undefined>();
  const [pastError, setPastError] = useState<string>();
  const [news, setNews] = useState<string[]>([]);

  const reloadTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const onEvent = useCallback(
    (type: string, position: string) => {
      setNews((n) => [`${type.replace('dev.incident-ledger.', '')} at position ${position}`, ...n].slice(0, 5));
      // A burst of events gives one reload, a few milliseconds after the last.
      clearTimeout(reloadTimer.current);
      reloadTimer.current = setTimeout(() => {
        versions.reload();
        timeline.reload();
      }, 50);
    },
    [versions.reload, timeline.reload],
  );
  const live = useLiveFeed(incidentId, versions.data?.lastPosition, onEvent);

  useEffect(() => {
    if (!cut) {
      setPast(undefined);
      return;
    }
    let current = true;
    setPastError(undefined);
    must(client.GET('/audit/incidents/{incidentId}/versions', { params: { path: { incidentId }, query: cut.query } })).then(
      (doc) => current && setPast(doc),
      (e: unknown) => current && setPastError(String(e)),
    );
    return () => {
      current = false;
    };
  }, [cut, client, incidentId]);

  const doc: VersionsDoc | undefined = versions.data;
  if (!doc) return versions.error ? <ErrorNote error={versions.error} /> : <p aria-live="polite">Loading…</p>;
  const incident = doc.incident;
  const shown: VersionsLike = cut && past ? past : doc;
  const locations = doc.parties.flatMap((p) => {
    const held = (p.currentAccount as { location?: { value: unknown } }).location;
    return held ? [{ label: nameOf(p.partyId), text: describeAssertion('location', held.value as never, nameOf), place: held.value as never }] : [];
  });
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
        <span className={`live live-${live}`}>{live === 'off' ? 'live updates off (no feed token)' : `live: ${live}`}</span>
        {news.length > 0 && ` · latest: ${news[0]}`}
      </p>
      {can('recorder') && (
        <p className="actions">
          <a href={href('incidents', incidentId, 'record', 'claim')}>Record a claim</a>
          <a href={href('incidents', incidentId, 'record', 'amend')}>Amend an entry</a>
        </p>
      )}
      {can('auditor') && timeline.data && <AsOf entries={timeline.data.entries} onCut={(query, label) => setCut(query ? { query, label } : undefined)} />}
      <h2>Who says what {cut && <span className="as-of-label">as of {cut.label}</span>}</h2>
      <ErrorNote error={pastError} />
      <Matrix doc={shown} incidentId={incidentId} />
      <div className="two-col">
        <section aria-labelledby="where">
          <h2 id="where">Where</h2>
          {incident && <LocationPanel reported={incident.location} claimed={locations} />}
        </section>
        <section aria-labelledby="when">
          <h2 id="when">When it was said</h2>
          {timeline.data && <TimelineChart entries={timeline.data.entries} />}
        </section>
      </div>
      <h2>Each party's claims {cut && <span className="as-of-label">as of {cut.label}</span>}</h2>
      {doc.page.next !== null && (
        <p className="muted">
          The first {doc.page.limit} entries of this incident are listed; the matrix and the disagreements cover all of them.
        </p>
      )}
      {shown.parties.map((p) => (
        <PartyClaims key={p.partyId} party={p} incidentId={incidentId} />
      ))}
    </>
  );
};
