import { createFrame, subscribeInto, type Panel } from '../panel';
import { esc, label, price, time, tone, usd } from '../format';
import { DashAlertEventsDocument, DashCascadeEventsDocument, DashRegimeEventsDocument, DashTrapEventsDocument, DashWhaleEventsDocument, type DataOrigin, type TypedDocumentString } from '../gql/graphql';
import type { Live } from '../live';
import type { EmergencyState } from './emergency';

interface TapeEvent {
  kind: string;
  cls: string;
  text: string;
  at: string;
  source: string;
  venue: string;
  stale?: boolean;
}

/**
 * One event stream of the tape: a subscription and how its payload reads as a line. Adding a stream is
 * one more entry in STREAMS. Alerts (`alertFired`) need an API key and are subscribed apart (below).
 */
interface Stream<TResult> {
  document: TypedDocumentString<TResult, { symbol: string }>;
  read(data: TResult): TapeEvent;
}
const stream = <TResult>(s: Stream<TResult>) => s as Stream<unknown>;

const STREAMS: Stream<unknown>[] = [
  stream({
    document: DashCascadeEventsDocument,
    read: ({ cascadeDetected: c }) => ({ kind: 'cascade', cls: tone(c.level ?? undefined), text: `cascade ${label(c.level)} (severity ${c.severity ?? '–'}) · ${label(c.dominance)} · ${usd(c.notionalUsd)}`, at: c.meta.asOf, source: c.meta.source, venue: c.meta.venue, stale: c.meta.stale }),
  }),
  stream({
    document: DashTrapEventsDocument,
    read: ({ trapDetected: t }) => ({ kind: 'trap', cls: tone(t.direction), text: `${label(t.type)} at ${price(t.level)}`, at: t.time, source: t.meta?.source ?? '', venue: t.meta?.venue ?? '' }),
  }),
  stream({
    document: DashWhaleEventsDocument,
    read: ({ whaleTrade: w }) => ({ kind: 'whale', cls: tone(w.side), text: `whale ${w.side.toLowerCase()} ${usd(w.notional)} at ${price(w.price)}`, at: w.time, source: w.meta?.source ?? '', venue: w.meta?.venue ?? '' }),
  }),
  stream({
    document: DashRegimeEventsDocument,
    read: ({ volatilityRegimeChanged: r }) => ({ kind: 'regime', cls: tone(r.to), text: `volatility ${label(r.from)} → ${label(r.to)}`, at: r.time, source: r.meta?.source ?? '', venue: r.meta?.venue ?? '' }),
  }),
];

const MAX_ROWS = 200;
const EMPTY = '<li class="muted empty">listening for cascades, traps, whale trades, regime and emergency changes, alerts…</li>';

const SEVERITY_CLASS: Record<string, string> = { CRITICAL: 'down', WARNING: 'warn', INFO: 'muted' };

export interface EventTapePanel extends Panel {
  /** Feeds each emergency result: a change of level (after the first one seen) becomes a line. */
  emergency(symbol: string, state: EmergencyState): void;
}

/**
 * The live tape of the open symbol, newest first: cascades, new traps, whale trades, volatility-regime
 * changes, emergency-level changes and, with an API key that has the ALERTS scope (entered here, kept in
 * this browser), the alerts fired for the symbol.
 */
export function createEventTapePanel(): EventTapePanel {
  const frame = createFrame('events', 'Live events');
  frame.body.innerHTML = `<ol class="tape" data-testid="tape">${EMPTY}</ol>
    <form class="alert-key" data-testid="alert-key"><label>Alerts: <input type="password" name="key" autocomplete="off" placeholder="API key with the alerts scope"></label> <button type="submit">use</button> <span class="state"></span></form>`;
  const list = frame.body.querySelector<HTMLOListElement>('.tape')!;
  const form = frame.body.querySelector<HTMLFormElement>('.alert-key')!;
  const keyState = form.querySelector<HTMLElement>('.state')!;
  let lastLevel: { symbol: string; level: string } | undefined;
  let reopen: (() => void) | undefined;
  const add = (event: TapeEvent) => {
    list.querySelector('.empty')?.remove();
    const li = document.createElement('li');
    li.className = `ev ${event.kind}`;
    li.innerHTML = `<time>${esc(time(event.at))}</time><span class="k">${esc(event.kind)}</span><span class="${event.cls}">${esc(event.text)}</span>${event.source === 'SIMULATED' ? '<span class="badge simulated small">SIM</span>' : event.source === 'REPLAY' ? '<span class="badge replay small">REPLAY</span>' : ''}`;
    list.prepend(li);
    while (list.children.length > MAX_ROWS) list.lastElementChild?.remove();
    if (event.source) frame.provenance(event.kind, { source: event.source as DataOrigin, asOf: event.at, venue: event.venue, stale: event.stale ?? false });
  };
  return {
    frame,
    emergency(symbol, state) {
      const previous = lastLevel?.symbol === symbol ? lastLevel.level : undefined;
      lastLevel = { symbol, level: state.level };
      if (previous === undefined || previous === state.level) return;
      const cls = state.level === 'EMERGENCY' ? 'down' : state.level === 'ELEVATED' ? 'warn' : 'up';
      add({ kind: 'emergency', cls, text: `emergency ${label(previous)} → ${label(state.level)}${state.triggers[0] ? ` · ${label(state.triggers[0].type)}` : ''}`, at: state.meta.asOf, source: state.meta.source, venue: state.meta.venue, stale: state.meta.stale });
    },
    open(symbol, live: Live) {
      list.innerHTML = EMPTY;
      lastLevel = undefined;
      const stops = STREAMS.map((s) => subscribeInto(frame, live, s.document, { symbol }, (data) => add(s.read(data))));
      let stopAlerts: (() => void) | undefined;
      const subscribeAlerts = () => {
        stopAlerts?.();
        stopAlerts = undefined;
        if (!live.hasKey()) {
          keyState.textContent = 'no key: alerts not shown';
          return;
        }
        keyState.textContent = 'key set';
        stopAlerts = live.run(
          DashAlertEventsDocument,
          { symbols: [symbol] },
          ({ alertFired: a }) => add({ kind: 'alert', cls: SEVERITY_CLASS[a.severity] ?? 'muted', text: `${a.test ? 'TEST · ' : ''}${a.title}`, at: a.firedAt, source: a.source, venue: a.venue }),
          (message) => (keyState.textContent = `alerts refused: ${message}`),
        );
      };
      subscribeAlerts();
      reopen = subscribeAlerts;
      form.onsubmit = (e) => {
        e.preventDefault();
        const input = form.querySelector<HTMLInputElement>('input')!;
        live.setKey(input.value);
        input.value = '';
        reopen?.();
      };
      return () => {
        stops.forEach((stop) => stop());
        stopAlerts?.();
        reopen = undefined;
      };
    },
  };
}
