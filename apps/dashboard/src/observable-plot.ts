// The part of Observable Plot the charts use, as a chunk of its own (plot-chart.tsx loads it with the first chart).
// Named exports, not the namespace: a dynamic import of the whole module keeps every mark and transform in the chunk.
export { barX, barY, dot, plot, ruleY } from '@observablehq/plot';
