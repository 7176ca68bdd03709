/** Colours of the dark theme, shared by the CSS (styles.css uses the same values) and the charts. */
export const COLORS = {
  bg: '#0d1117',
  panel: '#111821',
  border: '#263040',
  grid: '#1a2230',
  text: '#d6dde6',
  muted: '#8b97a6',
  up: '#26a69a',
  down: '#ef5350',
  vwap: '#f0b429',
  anchored: '#c792ea',
  valueArea: '#4aa3ff',
  poc: '#ffd54f',
  support: '#2e7d6f',
  resistance: '#b04545',
  trap: '#ff9800',
} as const;

/** Heatmap scale: dark blue → teal → yellow, like the commercial liquidation maps. */
export const HEAT = ['#0b1a33', '#123b6b', '#146c8f', '#1aa39a', '#7ccf6b', '#e6e34a', '#fff7b0'];
