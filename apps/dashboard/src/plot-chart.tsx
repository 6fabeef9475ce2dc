import { useEffect, useRef } from 'react';
import * as Plot from '@observablehq/plot';

/**
 * An Observable Plot chart (SVG) drawn into a figure. `label` names it for screen readers; the pages put the same
 * numbers in a table or list beside each chart, so nothing is only in the picture. A `pending` chart (its data not yet
 * answered) is not drawn: four empty charts drawn with the list they sit under held the list back by 150-270 ms of
 * main thread on a cold page, and were drawn again a moment later.
 */
export const PlotChart = ({ options, label, redrawKey = label, pending = false }: { options: Plot.PlotOptions; label: string; redrawKey?: string; pending?: boolean }) => {
  const ref = useRef<HTMLDivElement>(null);
  const latest = useRef(options);
  latest.current = options;
  // Redrawn when what it shows changes (the label says it, or redrawKey), not on every render of the page.
  useEffect(() => {
    const options = latest.current;
    const el = ref.current;
    if (!el || pending) return;
    const width = Math.max(280, Math.min(el.clientWidth || 640, 960));
    const chart = Plot.plot({ width, style: { background: 'transparent', color: 'currentColor', fontSize: '12px' }, ...options });
    // The container is the image (named by `label`); Plot's own labels on its <g> groups are not allowed there.
    for (const labelled of [chart, ...chart.querySelectorAll('[aria-label], [aria-description]')]) {
      labelled.removeAttribute('aria-label');
      labelled.removeAttribute('aria-description');
    }
    el.replaceChildren(chart);
    return () => chart.remove();
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

export { Plot };
