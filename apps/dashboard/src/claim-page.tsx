import { useLedger } from './ledger-client';
import type { PartyClaim } from './model/api-types';
import { describeAssertion, formatPoint } from './model/who-says-what';
import { ErrorNote, href, must, useLearnNames, useLoad, useParties } from './ui-kit';

const show = (v: unknown): string => (v === null || v === undefined ? '(absent)' : typeof v === 'string' ? v : JSON.stringify(v));

/** One claim: every version (readers see them in the versions document), its denials, and for auditors the field-level history diff. */
export const ClaimPage = ({ incidentId, claimId, version }: { incidentId: string; claimId: string; version: string | null }) => {
  const { client, can } = useLedger();
  const { nameOf } = useParties();
  // The claim alone, found by its id however many claims the incident has.
  const versions = useLoad(() => must(client.GET('/incidents/{incidentId}/versions', { params: { path: { incidentId }, query: { claim: claimId } } })), [incidentId, claimId]);
  const history = useLoad(
    () => (can('auditor') ? must(client.GET('/audit/incidents/{incidentId}/claims/{claimId}/history', { params: { path: { incidentId, claimId } } })) : Promise.resolve(undefined)),
    [incidentId, claimId],
  );
  useLearnNames(versions.data?.partyNames);
  const claim: PartyClaim | undefined = versions.data?.parties.flatMap((p) => p.claims).find((c) => c.claimId === claimId);
  const selected = version ? Number(version) : undefined;
  if (!claim) return versions.error ? <ErrorNote error={versions.error} /> : <p>{versions.loading ? 'Loading…' : 'No such claim in this incident.'}</p>;
  return (
    <>
      <p>
        <a href={href('incidents', incidentId)}>← {versions.data?.incident?.title ?? 'incident'}</a>
      </p>
      <h1>
        Claim by {nameOf(claim.partyId)} <span className="muted small">{claimId}</span>
      </h1>
      <p>
        Current version {claim.version}
        {claim.retracted && <strong> · retracted{claim.retraction ? `: ${claim.retraction.reason}` : ''}</strong>}
      </p>
      <h2>Versions</h2>
      <ol className="versions">
        {claim.versions.map((v) => (
          <li key={v.version} id={`v${v.version}`} className={selected === v.version ? 'selected' : ''} aria-current={selected === v.version ? 'true' : undefined}>
            <h3>
              Version {v.version} ({v.kind}) <span className="muted small">stated {formatPoint(v.statedAt)} · recorded {v.recordedAt} by {v.recordedBy}</span>
            </h3>
            {v.statement && <p>“{v.statement.text}”</p>}
            {v.reason && <p className="small">Reason: {v.reason}</p>}
            <ul className="small">
              {Object.entries(v.assertions).map(([field, value]) => (
                <li key={field}>
                  {field}: {describeAssertion(field as never, value as never, nameOf)}
                </li>
              ))}
            </ul>
            <p className="small muted">Source: {v.source.title}, {v.source.publisher}</p>
          </li>
        ))}
      </ol>
      <h2>Denials</h2>
      {claim.denials.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul>
          {claim.denials.map((d) => (
            <li key={d.denialId}>
              {nameOf(d.partyId)} denies {d.deniedAssertions.length ? d.deniedAssertions.join(', ') : 'the claim as a whole'}: “{d.statement.text}” ({formatPoint(d.statedAt)})
            </li>
          ))}
        </ul>
      )}
      {can('auditor') && (
        <section aria-labelledby="history">
          <h2 id="history">History (field-level diff)</h2>
          <ErrorNote error={history.error} />
          {history.data?.versions.map((v) => (
            <div key={v.version} className="diff">
              <h3>
                Version {v.version} <span className="muted small">recorded {v.recordedAt} by {v.recordedBy}, position {v.position}</span>
              </h3>
              {v.changes.length === 0 ? (
                <p className="small muted">First version.</p>
              ) : (
                <table className="compact">
                  <thead>
                    <tr>
                      <th scope="col">Field</th>
                      <th scope="col">Before</th>
                      <th scope="col">After</th>
                    </tr>
                  </thead>
                  <tbody>
                    {v.changes.map((c) => (
                      <tr key={c.path}>
                        <th scope="row">{c.path}</th>
                        <td>
                          <del>{show(c.from)}</del>
                        </td>
                        <td>
                          <ins>{show(c.to)}</ins>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </div>
          ))}
          {history.data && history.data.amendments.length > 0 && (
            <>
              <h3>Ledger amendments (transcription fixes, not the party's changes)</h3>
              <ul className="small">
                {history.data.amendments.map((a) => (
                  <li key={a.amendmentId}>
                    {a.reason} ({a.recordedAt}, {a.recordedBy})
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
      )}
    </>
  );
};
