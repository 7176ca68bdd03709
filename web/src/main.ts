import './styles.css';
import { createLive } from './live';
import { esc, price } from './format';
import type { Panel } from './panel';
import { DashboardSymbolsDocument } from './gql/graphql';
import { createPriceChartPanel } from './panels/price-chart';
import { createHeatmapPanel } from './panels/heatmap';
import { createConfirmationPanel } from './panels/confirmation';
import { createScenariosPanel } from './panels/scenarios';
import { createFundingPanel } from './panels/funding';
import { createOpenInterestPanel } from './panels/open-interest';
import { createLongShortPanel } from './panels/long-short';
import { createBasisPanel } from './panels/basis';
import { createVolatilityRegimePanel } from './panels/volatility-regime';
import { createCorrelationPanel } from './panels/correlation';
import { createEventTapePanel } from './panels/event-tape';
import { createEmergencyPanel, type EmergencyState } from './panels/emergency';

/**
 * The dashboard: one graphql-ws connection, one component per panel. The symbol comes from the URL hash
 * (`/#ETHUSDT`) or the switcher; switching stops every symbol subscription and opens the new ones.
 */
const live = createLive();
const grid = document.getElementById('grid')!;
const symbolsNav = document.getElementById('symbols')!;
const priceEl = document.getElementById('price')!;
const connection = document.getElementById('connection')!;

let current = '';
const showPrice = (value: number, symbol: string) => {
  if (symbol !== current) return;
  priceEl.textContent = `${symbol} ${price(value)}`;
  priceEl.dataset.value = String(value);
};

const banner = document.getElementById('emergency-banner')!;
const tape = createEventTapePanel();
/** The page banner says when the open symbol's emergency level is not NORMAL; the tape logs each change. */
const showEmergency = (symbol: string, state: EmergencyState) => {
  tape.emergency(symbol, state);
  if (symbol !== current) return;
  const alarm = state.level !== 'NORMAL';
  banner.hidden = !alarm;
  banner.className = `emergency-banner ${state.level === 'EMERGENCY' ? 'down' : 'warn'}`;
  banner.dataset.level = state.level;
  banner.textContent = alarm ? `${symbol} ${state.level}: ${state.advice.join(' · ')}` : '';
};

const panels: Panel[] = [
  createPriceChartPanel(showPrice),
  createEmergencyPanel(showEmergency),
  createHeatmapPanel(),
  createConfirmationPanel(),
  createScenariosPanel(),
  createFundingPanel(),
  createOpenInterestPanel(),
  createLongShortPanel(),
  createBasisPanel(),
  createVolatilityRegimePanel(),
  createCorrelationPanel(),
  tape,
];
for (const p of panels) grid.append(p.frame.root);

live.onState((state) => {
  connection.dataset.state = state;
  connection.textContent = state;
});

let closeSymbol: Array<() => void> = [];
function open(symbol: string) {
  if (symbol === current) return;
  for (const close of closeSymbol) close();
  current = symbol;
  document.title = `${symbol} · perpgraph`;
  priceEl.textContent = `${symbol} –`;
  banner.hidden = true;
  delete priceEl.dataset.value;
  for (const b of symbolsNav.querySelectorAll<HTMLButtonElement>('button')) b.setAttribute('aria-pressed', String(b.dataset.symbol === symbol));
  closeSymbol = panels.map((p) => {
    if (p.frame.root.dataset.panel !== 'correlation') p.frame.reset();
    return p.open(symbol, live);
  });
  if (location.hash.slice(1) !== symbol) history.replaceState(null, '', `#${symbol}`);
}

const stopSymbols = live.run(DashboardSymbolsDocument, {}, (data) => {
  const symbols = data.symbols.map((s) => s.symbol);
  symbolsNav.innerHTML = symbols.map((s) => `<button type="button" data-symbol="${esc(s)}" aria-pressed="false">${esc(s.replace(/USDT$/, ''))}</button>`).join('');
  const wanted = location.hash.slice(1).toUpperCase();
  const first = symbols.includes(wanted) ? wanted : symbols[0];
  current = '';
  if (first) open(first);
});
symbolsNav.addEventListener('click', (e) => {
  const button = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-symbol]');
  if (button?.dataset.symbol) open(button.dataset.symbol);
});
window.addEventListener('hashchange', () => {
  const wanted = location.hash.slice(1).toUpperCase();
  if (symbolsNav.querySelector(`button[data-symbol="${CSS.escape(wanted)}"]`)) open(wanted);
});
window.addEventListener('pagehide', () => {
  stopSymbols();
  live.dispose();
});
