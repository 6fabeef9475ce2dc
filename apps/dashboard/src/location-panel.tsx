import type { Place } from './model/api-types';

interface Located {
  label: string;
  text: string;
  place: Place;
}

/**
 * Where the incident happened, as the ledger reported it and as each party puts it. No tile server is reachable, so
 * coordinates are drawn on a plain graticule around the points (a relative picture, not a map), beside the words.
 */
export const LocationPanel = ({ reported, claimed }: { reported: Place; claimed: Located[] }) => {
  const all: Located[] = [{ label: 'Reported', text: `${reported.name} (${reported.precision})`, place: reported }, ...claimed];
  const points = all.filter((l) => l.place.coordinates);
  const lats = points.map((p) => p.place.coordinates!.lat);
  const lons = points.map((p) => p.place.coordinates!.lon);
  const pad = 0.25;
  const [minLat, maxLat] = [Math.min(...lats) - pad, Math.max(...lats) + pad];
  const [minLon, maxLon] = [Math.min(...lons) - pad, Math.max(...lons) + pad];
  const x = (lon: number) => 10 + (280 * (lon - minLon)) / (maxLon - minLon || 1);
  const y = (lat: number) => 10 + (140 * (maxLat - lat)) / (maxLat - minLat || 1);
  return (
    <div className="location">
      <ul className="small">
        {all.map((l) => (
          <li key={l.label}>
            <strong>{l.label}:</strong> {l.text}
            {l.place.coordinates ? ` — ${l.place.coordinates.lat.toFixed(4)}, ${l.place.coordinates.lon.toFixed(4)}` : ' — no coordinates'}
          </li>
        ))}
      </ul>
      {points.length > 0 && (
        <svg viewBox="0 0 300 160" className="graticule" role="img" aria-label={`Coordinates of ${points.map((p) => p.label).join(', ')}`}>
          <rect x="10" y="10" width="280" height="140" className="frame" />
          <text x="12" y="158" className="tick">{minLon.toFixed(2)}°E</text>
          <text x="250" y="158" className="tick">{maxLon.toFixed(2)}°E</text>
          <text x="12" y="22" className="tick">{maxLat.toFixed(2)}°N</text>
          {points.map((p, i) => (
            <g key={p.label}>
              <circle cx={x(p.place.coordinates!.lon)} cy={y(p.place.coordinates!.lat)} r={i === 0 ? 6 : 4} className={i === 0 ? 'dot reported' : 'dot'} />
              <text x={x(p.place.coordinates!.lon) + 7} y={y(p.place.coordinates!.lat) + 4} className="tick">
                {p.label}
              </text>
            </g>
          ))}
        </svg>
      )}
    </div>
  );
};
