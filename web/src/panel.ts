import { esc, time } from './format';
import type { DashMetaFragment, DataOrigin, TypedDocumentString } from './gql/graphql';
import type { Live } from './live';

/** The provenance of one input of a panel: an analysis meta (source, stale) or an event's (source only). */
export interface Provenance {
  source: DataOrigin;
  stale?: boolean;
  asOf: string;
  venue: string;
}

export interface PanelFrame {
  readonly root: HTMLElement;
  readonly body: HTMLElement;
  /** Records the provenance of input `key` and redraws the badges: SIMULATED / REPLAY / STALE when any input is. */
  provenance(key: string, meta: Provenance | DashMetaFragment | null | undefined): void;
  /** Shows (or with undefined clears) an error line under the panel. */
  error(message: string | undefined): void;
  /** Forgets every input (a symbol switch). */
  reset(): void;
}

/** A dashboard panel: its frame, and what it subscribes to for one symbol (returns the unsubscribe). */
export interface Panel {
  readonly frame: PanelFrame;
  open(symbol: string, live: Live): () => void;
}

export function createFrame(id: string, title: string, options: { wide?: boolean } = {}): PanelFrame {
  const root = document.createElement('section');
  root.className = `panel${options.wide ? ' wide' : ''}`;
  root.id = `panel-${id}`;
  root.dataset.panel = id;
  root.innerHTML = `<header><h2>${esc(title)}</h2><span class="badges"></span></header><div class="body"></div><footer><span class="prov">waiting for data…</span><span class="err" role="status"></span></footer>`;
  const badges = root.querySelector<HTMLElement>('.badges')!;
  const prov = root.querySelector<HTMLElement>('.prov')!;
  const err = root.querySelector<HTMLElement>('.err')!;
  const inputs = new Map<string, Provenance>();
  const draw = () => {
    const all = [...inputs.values()];
    const simulated = all.some((m) => m.source === 'SIMULATED');
    const replay = all.some((m) => m.source === 'REPLAY');
    const stale = all.some((m) => m.stale === true);
    const live = all.length > 0 && all.every((m) => m.source === 'LIVE') && !stale;
    badges.innerHTML = [
      simulated ? '<span class="badge simulated" data-badge="SIMULATED" title="Data from the built-in simulated market, not an exchange">SIMULATED</span>' : '',
      replay ? '<span class="badge replay" data-badge="REPLAY" title="Recorded data replayed">REPLAY</span>' : '',
      stale ? '<span class="badge stale" data-badge="STALE" title="An input is older than STALE_AFTER_MS">STALE</span>' : '',
      live ? '<span class="badge live" data-badge="LIVE">LIVE</span>' : '',
    ].join('');
    const newest = all.reduce<Provenance | undefined>((a, m) => (!a || m.asOf > a.asOf ? m : a), undefined);
    prov.textContent = newest ? `${[...new Set(all.map((m) => m.source))].join('/')} · ${newest.venue} · as of ${time(newest.asOf)} UTC` : 'waiting for data…';
  };
  return {
    root,
    body: root.querySelector<HTMLElement>('.body')!,
    provenance(key, meta) {
      if (meta) inputs.set(key, meta);
      else inputs.delete(key);
      draw();
    },
    error(message) {
      err.textContent = message ?? '';
    },
    reset() {
      inputs.clear();
      err.textContent = '';
      draw();
    },
  };
}

/** Subscribes with the panel's error line as the error sink; returns the stopper. */
export function subscribeInto<TResult, TVariables>(
  frame: PanelFrame,
  live: Live,
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  onData: (data: TResult) => void,
): () => void {
  return live.run(
    document,
    variables,
    (data) => {
      frame.error(undefined);
      onData(data);
    },
    (message) => frame.error(message),
  );
}
