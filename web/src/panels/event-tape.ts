import { createFrame, subscribeInto, type Panel, type PanelFrame } from '../panel';
import { esc, label, price, time, tone, usd } from '../format';
import { DashCascadeEventsDocument, DashRegimeEventsDocument, DashTrapEventsDocument, DashWhaleEventsDocument, type DataOrigin, type TypedDocumentString } from '../gql/graphql';
import type { Live } from '../live';

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
 * One event stream of the tape: a subscription and how its payload reads as a line. Adding a stream
 * (for instance `alertFired` once the schema has it) is one more entry in STREAMS.
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

/** The live tape: cascades, traps, whale trades and volatility-regime changes of the symbol, newest first. */
export function createEventTapePanel(): Panel {
  const frame = createFrame('events', 'Live events');
  frame.body.innerHTML = `<ol class="tape" data-testid="tape"><li class="muted empty">listening for cascades, traps, whale trades and regime changes…</li></ol>`;
  const list = frame.body.querySelector<HTMLOListElement>('.tape')!;
  const add = (frameRef: PanelFrame, event: TapeEvent) => {
    list.querySelector('.empty')?.remove();
    const li = document.createElement('li');
    li.className = `ev ${event.kind}`;
    li.innerHTML = `<time>${esc(time(event.at))}</time><span class="k">${esc(event.kind)}</span><span class="${event.cls}">${esc(event.text)}</span>${event.source === 'SIMULATED' ? '<span class="badge simulated small">SIM</span>' : ''}`;
    list.prepend(li);
    while (list.children.length > MAX_ROWS) list.lastElementChild?.remove();
    if (event.source) frameRef.provenance(event.kind, { source: event.source as DataOrigin, asOf: event.at, venue: event.venue, stale: event.stale ?? false });
  };
  return {
    frame,
    open(symbol, live: Live) {
      list.innerHTML = '<li class="muted empty">listening for cascades, traps, whale trades and regime changes…</li>';
      const stops = STREAMS.map((s) => subscribeInto(frame, live, s.document, { symbol }, (data) => add(frame, s.read(data))));
      return () => stops.forEach((stop) => stop());
    },
  };
}
