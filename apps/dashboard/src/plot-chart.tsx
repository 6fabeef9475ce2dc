import { useEffect, useRef } from 'react';
import type { PlotOptions } from '@observablehq/plot';

export type Plot = typeof import('./observable-plot');
/** A chart's options, built from Plot once it has loaded. */
export type ChartOptions = (plot: Plot) => PlotOptions;

let loading: Promise<Plot> | undefined;
/**
 * Observable Plot and the d3 modules under it are three quarters of the page's script: loaded with the first chart,
 * not with the page, so that the sign-in page, the list and an incident are shown before it has even been parsed.
 */
const loadPlot = (): Promise<Plot> =>
  (loading ??= import('./observable-plot').catch((error: unknown) => {
    // The next chart asks again (a dropped connection, a deploy that replaced the chunk).
    loading = undefined;
    throw error;
  }));

/**
 * Charts are drawn one per task: the list page's four, drawn in one, held the main thread for 100-155 ms (a cold
 * opening on the 2-core development machine), and a click or a keystroke waited behind all of them.
 */
const drawQueue: Array<() => void> = [];
const drawNext = (): void => {
  try {
    drawQueue.shift()?.();
  } finally {
    // A chart that fails to draw leaves the others their turn.
    if (drawQueue.length > 0) setTimeout(drawNext, 0);
  }
};
const queueDraw = (draw: () => void): (() => void) => {
  drawQueue.push(draw);
  if (drawQueue.length === 1) setTimeout(drawNext, 0);
  return () => {
    const at = drawQueue.indexOf(draw);
    if (at >= 0) drawQueue.splice(at, 1);
  };
};

/**
 * An Observable Plot chart (SVG) drawn into a figure. `label` names it for screen readers; the pages put the same
 * numbers in a table or list beside each chart, so nothing is only in the picture. A `pending` chart (its data not yet
 * answered) is not drawn: four empty charts drawn with the list they sit under held the list back by 150-270 ms of
 * main thread on a cold page, and were drawn again a moment later.
 */
export const PlotChart = ({ options, label, redrawKey = label, pending = false }: { options: ChartOptions; label: string; redrawKey?: string; pending?: boolean }) => {
  const ref = useRef<HTMLDivElement>(null);
  const latest = useRef(options);
  latest.current = options;
  // Redrawn when what it shows changes (the label says it, or redrawKey), not on every render of the page.
  useEffect(() => {
    if (pending) return;
    let unqueue: (() => void) | undefined;
    let gone = false;
    void loadPlot().then((plot) => {
      if (gone) return;
      unqueue = queueDraw(() => {
        const el = ref.current;
        if (gone || !el) return;
        const width = Math.max(280, Math.min(el.clientWidth || 640, 960));
        const chart = plot.plot({ width, style: { background: 'transparent', color: 'currentColor', fontSize: '12px' }, ...latest.current(plot) });
        // The container is the image (named by `label`); Plot's own labels on its <g> groups are not allowed there.
        for (const labelled of [chart, ...chart.querySelectorAll('[aria-label], [aria-description]')]) {
          labelled.removeAttribute('aria-label');
          labelled.removeAttribute('aria-description');
        }
        // The chart drawn before stays until this one replaces it: no blank frame while a redraw waits its turn.
        el.replaceChildren(chart);
      });
    }, () => {
      if (!gone && ref.current) ref.current.textContent = 'This chart could not be loaded; its numbers are listed beside it.';
    });
    return () => {
      gone = true;
      unqueue?.();
    };
  }, [redrawKey, pending]);
  if (pending) {
    return (
      <div className="chart muted" aria-busy="true">
        Loading…
      </div>
    );
  }
  return <div className="chart" ref={ref} role="img" aria-label={label} />;
};

