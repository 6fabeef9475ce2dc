import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import type { PartyRecord } from './model/api-types';
import { useLedger } from './ledger-client';

/** Hash routes (`#/incidents/…`): the server serves one page at `/`, and nothing secret ever sits in the path. */
export const useHashRoute = (): { path: string[]; query: URLSearchParams } => {
  const read = () => {
    const [p, q] = window.location.hash.replace(/^#/, '').split('?');
    return { path: (p || '/').split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(q ?? '') };
  };
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = () => setRoute(read());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
};

export const href = (...parts: (string | number)[]): string => `#/${parts.map((p) => encodeURIComponent(String(p))).join('/')}`;

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload: () => void;
}

/** Runs a read when its inputs change (and on reload); keeps the last data while the next one loads. */
export const useLoad = <T,>(load: () => Promise<T>, deps: unknown[]): Loaded<T> => {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (e: unknown) => live && setState((s) => ({ ...s, error: e instanceof Error ? e.message : String(e), loading: false })),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
};

/** openapi-fetch answers { data, error, response }: a page wants the data or an Error saying what went wrong. */
export const must = async <T,>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> => {
  const { data, error, response } = await call;
  if (data === undefined) {
    const p = error as { title?: string; detail?: string } | undefined;
    throw new Error(`${response.status} ${p?.title ?? ''}${p?.detail ? `: ${p.detail}` : ''}`.trim());
  }
  return data;
};

interface PartiesValue {
  parties: PartyRecord[];
  nameOf: (partyId: string) => string;
  reload: () => void;
}

const PartiesContext = createContext<PartiesValue>({ parties: [], nameOf: (id) => id, reload: () => undefined });

/** Party names beside ids: the API's versions and timeline carry ids only (names beside ids are coming in dashboard-api). */
export const PartiesProvider = ({ children }: { children: ReactNode }) => {
  const { client } = useLedger();
  const loaded = useLoad(async () => {
    // Every party, page by page (500 is the API's largest page).
    const all: PartyRecord[] = [];
    for (;;) {
      const page = await must(client.GET('/parties', { params: { query: { limit: 500, offset: all.length } } }));
      all.push(...page.items);
      if (page.items.length === 0 || all.length >= page.total) return all;
    }
  }, []);
  const parties = loaded.data ?? [];
  const byId = new Map(parties.map((p) => [p.partyId, p.name]));
  const nameOf = (id: string) => byId.get(id) ?? (id === 'civilians' ? 'Civilians' : id === 'unknown' ? 'Unknown side' : id);
  return <PartiesContext.Provider value={{ parties, nameOf, reload: loaded.reload }}>{children}</PartiesContext.Provider>;
};

export const useParties = (): PartiesValue => useContext(PartiesContext);

export const ErrorNote = ({ error }: { error: string | undefined }) => (error ? <p className="error" role="alert">{error}</p> : null);
