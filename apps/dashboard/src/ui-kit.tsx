import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { PartySummary } from './model/api-types';
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

export interface PagedEntries<P> {
  /** The pages loaded, in order; undefined until the first has come. */
  pages: P[] | undefined;
  error: string | undefined;
  loading: boolean;
  /** A later page exists (the last page's `next`). */
  hasMore: boolean;
  /** Loads the next page and keeps the ones shown. */
  more: () => void;
  /**
   * Reads the pages shown again from the first (after a live event), as many as are shown, and any new last one;
   * resolves with the pages read (undefined when it failed or a later read overtook it).
   */
  refresh: () => Promise<P[] | undefined>;
}

/**
 * A list read page by page with the API's keyset cursor (`limit` + `after`, answered with `page.next`): the first page
 * when the inputs change, the next on demand. Only the last request started lands, so a refresh overtaken by a
 * click on "more" (or the reverse) never shows an older state.
 */
export const usePagedEntries = <P extends { page: { next: string | null } }>(
  fetchPage: (after: string | undefined) => Promise<P>,
  deps: unknown[],
  /** Two reads of a page that show the same thing (the same revision): a refresh that changes nothing redraws nothing. */
  same: (a: P, b: P) => boolean = () => false,
): PagedEntries<P> => {
  const [state, setState] = useState<{ pages?: P[]; error?: string; loading: boolean }>({ loading: true });
  const generation = useRef(0);
  const shown = useRef<P[] | undefined>(undefined);
  shown.current = state.pages;
  const fetcher = useRef(fetchPage);
  fetcher.current = fetchPage;
  const isSame = useRef(same);
  isSame.current = same;
  // A refresh runs quietly: no loading state, and no new state at all when every page reads as before, so that a live
  // event about something else, or the check when the live stream opens, costs the page no redraw.
  const run = useCallback(async (pagesBefore: P[], count: number, quiet = false): Promise<P[] | undefined> => {
    const mine = ++generation.current;
    if (!quiet) setState((s) => ({ ...s, loading: true }));
    try {
      const pages = [...pagesBefore];
      do {
        pages.push(await fetcher.current(pages.at(-1)?.page.next ?? undefined));
      } while (pages.length < count && pages.at(-1)!.page.next !== null);
      if (mine !== generation.current) return undefined;
      const before = shown.current;
      if (quiet && before && before.length === pages.length && pages.every((page, i) => isSame.current(page, before[i]))) return pages;
      setState({ pages, loading: false });
      return pages;
    } catch (e: unknown) {
      if (mine === generation.current) setState((s) => ({ ...s, error: e instanceof Error ? e.message : String(e), loading: false }));
      return undefined;
    }
  }, []);
  useEffect(() => {
    setState({ loading: true });
    void run([], 1);
    return () => {
      generation.current++;
    };
  }, deps);
  const more = useCallback(() => {
    const pages = shown.current;
    if (pages?.at(-1)?.page.next) void run(pages, pages.length + 1);
  }, [run]);
  const refresh = useCallback(() => run([], Math.max(1, shown.current?.length ?? 1), true), [run]);
  return { pages: state.pages, error: state.error, loading: state.loading, hasMore: Boolean(state.pages?.at(-1)?.page.next), more, refresh };
};

/**
 * A User Timing mark (`performance.mark`) once a page first shows what it is for: the speed benchmark reads it, with
 * the long tasks around it, through the browser's performance timeline (bench/dashboard.bench.ts).
 */
export const useReadyMark = (name: string, ready: boolean): void => {
  const marked = useRef(false);
  useEffect(() => {
    if (!ready || marked.current) return;
    marked.current = true;
    performance.mark(name);
  }, [ready, name]);
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
  /** Every party with its counts (GET /stats/parties): loaded once a page asks for it (useAllParties), never by the incident pages. */
  parties: PartySummary[];
  nameOf: (partyId: string) => string;
  /** Adds the names a document carries beside its ids (`partyNames`, `partyName`): what nameOf answers from. */
  learn: (names: Readonly<Record<string, string | null | undefined>>) => void;
  reload: () => void;
  wantAll: () => void;
}

const PartiesContext = createContext<PartiesValue>({ parties: [], nameOf: (id) => id, learn: () => undefined, reload: () => undefined, wantAll: () => undefined });

const fallbackName = (id: string) => (id === 'civilians' ? 'Civilians' : id === 'unknown' ? 'Unknown side' : id);

/**
 * Party names beside ids. The API names parties in every document (incident list items, versions, timeline, stats),
 * so pages learn names from what they load; the list of every party (GET /stats/parties) is read only by the pages
 * that list or pick among all parties.
 */
export const PartiesProvider = ({ children }: { children: ReactNode }) => {
  const { client } = useLedger();
  const [names, setNames] = useState<ReadonlyMap<string, string>>(new Map());
  const [wanted, setWanted] = useState(false);
  const loaded = useLoad(async () => {
    if (!wanted) return [];
    // Every party, page by page (500 is the API's largest page): the directory's rows, not the party records, which
    // list every incident a party spoke in.
    const all: PartySummary[] = [];
    for (;;) {
      const page = await must(client.GET('/stats/parties', { params: { query: { limit: 500, offset: all.length } } }));
      all.push(...page.items);
      if (page.items.length === 0 || all.length >= page.total) return all;
    }
  }, [wanted]);
  const parties = loaded.data ?? [];
  const learn = useCallback((more: Readonly<Record<string, string | null | undefined>>) => {
    setNames((known) => {
      const fresh = Object.entries(more).filter((e): e is [string, string] => typeof e[1] === 'string' && known.get(e[0]) !== e[1]);
      return fresh.length === 0 ? known : new Map([...known, ...fresh]);
    });
  }, []);
  useEffect(() => learn(Object.fromEntries(parties.map((p) => [p.partyId, p.name]))), [parties, learn]);
  const nameOf = useCallback((id: string) => names.get(id) ?? fallbackName(id), [names]);
  const wantAll = useCallback(() => setWanted(true), []);
  return <PartiesContext.Provider value={{ parties, nameOf, learn, reload: loaded.reload, wantAll }}>{children}</PartiesContext.Provider>;
};

export const useParties = (): PartiesValue => useContext(PartiesContext);

/** For the pages that list or pick among every party (the parties page, the recording forms). */
export const useAllParties = (): PartiesValue => {
  const value = useParties();
  useEffect(() => value.wantAll(), [value.wantAll]);
  return value;
};

/** Learns the names a loaded document carries, whenever it changes. */
export const useLearnNames = (names: Readonly<Record<string, string | null | undefined>> | undefined): void => {
  const { learn } = useParties();
  useEffect(() => {
    if (names) learn(names);
  }, [names, learn]);
};

export const ErrorNote = ({ error }: { error: string | undefined }) => (error ? <p className="error" role="alert">{error}</p> : null);
