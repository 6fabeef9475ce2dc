import createClient, { type Client } from 'openapi-fetch';
import { createContext, useContext, type ReactNode } from 'react';
import type { paths } from '../generated/api-schema';

export type Role = 'reader' | 'recorder' | 'auditor' | 'integrator' | 'admin';
/** The page reads JSON: lists also come as CSV (text/csv) for downloads, which the page never asks for. */
type PageMedia = 'application/json' | 'application/problem+json';
export type LedgerClient = Client<paths, PageMedia>;

export interface Session {
  token: string;
  roles: Role[];
}

const SESSION_KEY = 'incident-ledger.session';

/** The token lives in sessionStorage only: gone with the tab, never in a URL, never in localStorage. */
export const loadSession = (): Session | undefined => {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    return raw ? (JSON.parse(raw) as Session) : undefined;
  } catch {
    return undefined;
  }
};
export const saveSession = (s: Session | undefined): void => {
  if (s) sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
  else sessionStorage.removeItem(SESSION_KEY);
};

export const clientFor = (token: string): LedgerClient =>
  createClient<paths, PageMedia>({
    baseUrl: window.location.origin,
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
  });

/**
 * Which roles a token has, asked of the ledger without writing anything: a read per role, and for recording an empty
 * POST that a recorder has refused as invalid (400) and anyone else as forbidden (403) before the body is read.
 */
export const probeRoles = async (token: string): Promise<Role[] | 'invalid'> => {
  const h = { Authorization: `Bearer ${token}` };
  const status = (path: string, init: RequestInit = {}) => fetch(path, { ...init, headers: { ...h, ...(init.headers ?? {}) } }).then((r) => r.status);
  const [reader, recorder, auditor, integrator, admin] = await Promise.all([
    status('/parties?limit=1'),
    status('/parties', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
    // One entry of the access log: the checkpoint list's first page can be megabytes (a checkpoint carries stream heads).
    status('/integrity/access-log?limit=1'),
    status('/feed/events?limit=1'),
    status('/admin/read-models'),
  ]);
  if ([reader, recorder, auditor, integrator, admin].every((s) => s === 401)) return 'invalid';
  const roles: Role[] = [];
  if (reader === 200) roles.push('reader');
  if (recorder === 400 || recorder === 422) roles.push('recorder');
  if (auditor === 200) roles.push('auditor');
  if (integrator === 200) roles.push('integrator');
  if (admin === 200) roles.push('admin');
  return roles;
};

interface LedgerContextValue {
  client: LedgerClient;
  session: Session;
  can: (role: Role) => boolean;
}

const LedgerContext = createContext<LedgerContextValue | undefined>(undefined);

export const LedgerProvider = ({ session, children }: { session: Session; children: ReactNode }) => {
  const client = clientFor(session.token);
  const can = (role: Role) => session.roles.includes(role) || session.roles.includes('admin');
  return <LedgerContext.Provider value={{ client, session, can }}>{children}</LedgerContext.Provider>;
};

export const useLedger = (): LedgerContextValue => {
  const value = useContext(LedgerContext);
  if (!value) throw new Error('useLedger outside LedgerProvider');
  return value;
};

/** Plain JSON fetch with the session's token, for the few calls whose shape the page checks itself. */
export const authedFetch = (token: string, path: string, init: RequestInit = {}): Promise<Response> =>
  fetch(path, { ...init, headers: { Authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });

/**
 * The log position the read models have reached (from the public /health): where a live stream can start for a page
 * that reads the read models after asking. Starting from an old position instead (an incident's last entry, far back
 * in a large log) makes the ledger read the whole log since then to catch the stream up.
 */
export const readModelsPosition = async (): Promise<bigint | undefined> => {
  try {
    const body = (await (await fetch('/health', { headers: { Accept: 'application/json' } })).json()) as { details?: { projections?: { checkpoint?: unknown } } };
    const checkpoint = body.details?.projections?.checkpoint;
    return typeof checkpoint === 'string' && /^\d+$/.test(checkpoint) ? BigInt(checkpoint) : undefined;
  } catch {
    return undefined;
  }
};
