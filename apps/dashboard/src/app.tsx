import { useState, type FormEvent } from 'react';
import { LedgerProvider, loadSession, probeRoles, saveSession, useLedger, type Role, type Session } from './ledger-client';
import { ClaimPage } from './claim-page';
import { IncidentPage } from './incident-page';
import { IncidentsPage } from './incidents-page';
import { PartiesPage } from './parties-page';
import { RecordPage } from './record-forms';
import { href, PartiesProvider, useHashRoute, useReadyMark } from './ui-kit';

const SignIn = ({ onSignedIn }: { onSignedIn: (s: Session) => void }) => {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  useReadyMark('dashboard:sign-in-ready', true);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const roles = await probeRoles(token.trim());
      if (roles === 'invalid' || roles.length === 0) {
        setError('The ledger does not know this token.');
        return;
      }
      onSignedIn({ token: token.trim(), roles });
    } catch (err) {
      setError(`The ledger did not answer: ${String(err)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" className="sign-in">
      <h1>Incident Ledger</h1>
      <p>Paste a ledger token. It is kept in this tab only (sessionStorage) and sent as a bearer header, never in an address.</p>
      <form onSubmit={submit} aria-describedby="sign-in-error">
        <label htmlFor="token">Token</label>
        <input id="token" name="token" type="password" autoComplete="off" required value={token} onChange={(e) => setToken(e.target.value)} />
        <button type="submit" disabled={busy || token.trim() === ''}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        <div id="sign-in-error">{error && <p className="error" role="alert">{error}</p>}</div>
      </form>
    </main>
  );
};

const MENU: { label: string; to: string; role: Role }[] = [
  { label: 'Incidents', to: '#/', role: 'reader' },
  { label: 'Parties', to: '#/parties', role: 'reader' },
  { label: 'Report incident', to: href('record', 'incident'), role: 'recorder' },
  { label: 'Register party', to: href('record', 'party'), role: 'recorder' },
];

const Shell = ({ onSignOut }: { onSignOut: () => void }) => {
  const { session, can } = useLedger();
  const { path, query } = useHashRoute();
  const current = `#/${path.join('/')}`;
  let page;
  if (path[0] === 'incidents' && path[1] && path[2] === 'claims' && path[3]) page = <ClaimPage incidentId={path[1]} claimId={path[3]} version={query.get('v')} />;
  else if (path[0] === 'incidents' && path[1] && path[2] === 'record') page = <RecordPage kind={path[3] ?? 'claim'} incidentId={path[1]} claimId={query.get('claim') ?? undefined} />;
  else if (path[0] === 'incidents' && path[1]) page = <IncidentPage key={path[1]} incidentId={path[1]} />;
  else if (path[0] === 'record') page = <RecordPage kind={path[1] ?? 'incident'} />;
  else if (path[0] === 'parties') page = <PartiesPage />;
  else page = <IncidentsPage />;
  return (
    <>
      <a className="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content
      </a>
      <header className="top">
        <a className="brand" href="#/">Incident Ledger</a>
        <nav aria-label="Main">
          <ul>
            {MENU.filter((m) => can(m.role)).map((m) => (
              <li key={m.to}>
                <a href={m.to} aria-current={current === m.to.replace(/^#\/?$/, '#/') ? 'page' : undefined}>
                  {m.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span className="who" title="Roles of this token">
          {session.roles.join(', ')}
        </span>
        <button type="button" className="link" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </>
  );
};

export const App = () => {
  const [session, setSession] = useState<Session | undefined>(loadSession);
  if (!session)
    return (
      <SignIn
        onSignedIn={(s) => {
          saveSession(s);
          setSession(s);
        }}
      />
    );
  return (
    <LedgerProvider session={session}>
      <PartiesProvider>
        <Shell
          onSignOut={() => {
            saveSession(undefined);
            setSession(undefined);
          }}
        />
      </PartiesProvider>
    </LedgerProvider>
  );
};
