import { EventSource } from 'eventsource';
import { useEffect, useRef, useState } from 'react';
import { useLedger } from './ledger-client';
import type { FeedEvent } from './model/feed-news';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'off';

/**
 * Follows GET /feed/stream for one incident and calls `onEvent` for each new event. The browser's own EventSource
 * cannot send a bearer header and the token must not go in the URL, so the `eventsource` package reads the stream
 * through fetch() with the Authorization header; it resumes with Last-Event-ID after a cut-off or a dropped
 * connection. Readers (and so recorders and auditors) may read the stream, as integrators do.
 */
export const useLiveFeed = (
  incidentId: string,
  from: string | undefined,
  onEvent: (event: FeedEvent, position: string) => void,
  /** Each time the stream (re)opens: what the page shows may have changed while it was not following. */
  onOpen: () => void = () => undefined,
): LiveState => {
  const { session, can } = useLedger();
  const token = can('reader') || can('integrator') ? session.token : undefined;
  const [state, setState] = useState<LiveState>(token ? 'connecting' : 'off');
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const opened = useRef(onOpen);
  opened.current = onOpen;
  const started = from !== undefined;
  const fromRef = useRef(from);
  fromRef.current = from;

  useEffect(() => {
    if (!token || !started) return;
    const url = new URL('/feed/stream', window.location.origin);
    url.searchParams.set('incident', incidentId);
    url.searchParams.set('from', fromRef.current ?? '0');
    const source = new EventSource(url, {
      fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers ?? {}), Authorization: `Bearer ${token}` } }),
    });
    source.onopen = () => {
      setState('live');
      opened.current();
    };
    source.onerror = () => setState('reconnecting');
    source.onmessage = (e) => {
      let event: FeedEvent = {};
      try {
        event = JSON.parse(e.data) as FeedEvent;
      } catch {
        // A frame that is not JSON still says something arrived: the page reloads what it shows.
      }
      handler.current(event, e.lastEventId);
    };
    return () => source.close();
  }, [incidentId, token, started]);
  return token ? state : 'off';
};
