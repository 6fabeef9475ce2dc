import { useLedger } from './ledger-client';
import { href, useAllParties } from './ui-kit';

export const PartiesPage = () => {
  const { parties } = useAllParties();
  const { can } = useLedger();
  return (
    <>
      <h1>Parties</h1>
      {can('recorder') && (
        <p className="actions">
          <a href={href('record', 'party')}>Register a party</a>
        </p>
      )}
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Parties">
        <table className="compact">
          <thead>
            <tr>
              <th scope="col">Party</th>
              <th scope="col">Kind</th>
              <th scope="col">Affiliation</th>
              <th scope="col">Incidents</th>
              <th scope="col">Claims</th>
              <th scope="col">Corrections</th>
              <th scope="col">Retractions</th>
              <th scope="col">Denials made</th>
              <th scope="col">Denials received</th>
            </tr>
          </thead>
          <tbody>
            {parties.map((p) => (
              <tr key={p.partyId}>
                <th scope="row">
                  {p.name ?? p.partyId} <span className="muted small">{p.partyId}</span>
                </th>
                <td>{p.kind ?? '—'}</td>
                <td>{p.affiliation?.description ?? '—'}</td>
                <td>{p.counts.incidents}</td>
                <td>{p.counts.claims}</td>
                <td>{p.counts.corrections}</td>
                <td>{p.counts.retractions}</td>
                <td>{p.counts.denialsMade}</td>
                <td>{p.counts.denialsReceived}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
};
