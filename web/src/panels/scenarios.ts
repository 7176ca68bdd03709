import { createFrame, subscribeInto, type Panel } from '../panel';
import { esc, fraction, label, num, price } from '../format';
import { DashScenariosDocument } from '../gql/graphql';

/**
 * The trade scenarios (1 h): for each, the bias, entry zone, stop, targets with their reward-to-risk,
 * the recommended and the largest safe leverage (and where that leverage liquidates), why (bullish and
 * bearish factors) and the risks. Analysis, not advice.
 */
export function createScenariosPanel(): Panel {
  const frame = createFrame('scenarios', 'Scenarios · 1 h');
  return {
    frame,
    open(symbol, live) {
      frame.body.innerHTML = '';
      return subscribeInto(frame, live, DashScenariosDocument, { symbol }, (data) => {
        const set = data.scenariosUpdated;
        frame.provenance('scenarios', set.meta);
        const cards = set.scenarios.map((s) => {
          const list = (items: readonly string[], cls: string) => (items.length ? `<ul class="${cls}">${items.slice(0, 4).map((i) => `<li>${esc(i)}</li>`).join('')}</ul>` : '');
          return `<article class="scenario ${s.bias === 'LONG' ? 'long' : 'short'}">
            <h3><span class="bias">${esc(s.bias)}</span> ${esc(s.name)} <small>${esc(label(s.kind))} · ${esc(fraction(s.confidence))} · ${esc(s.horizon)}</small></h3>
            <div class="grid3">
              <div><span>entry (${esc(label(s.entry.type))})</span><b>${esc(price(s.entry.priceMin))}–${esc(price(s.entry.priceMax))}</b></div>
              <div><span>stop</span><b>${esc(price(s.stopLoss.price))}</b></div>
              <div><span>leverage</span><b>${s.leverage.recommended}× <small>(max ${s.leverage.maxSafe}×, liq ${esc(price(s.leverage.liquidationPrice))})</small></b></div>
            </div>
            <div class="targets">${s.targets.map((t) => `<span>T${t.level} ${esc(price(t.price))} <b>R:R ${esc(num(t.rr, 2))}</b></span>`).join('')}</div>
            <details><summary>why / risks</summary>${list(s.why.bullishFactors, 'up')}${list(s.why.bearishFactors, 'down')}${list(s.why.risks, 'risk')}<p class="note">invalidated: ${esc(s.invalidation)}</p></details>
          </article>`;
        });
        frame.body.innerHTML = `<p class="note">price ${esc(price(set.price))} · ATR ${esc(price(set.atr))}</p>${cards.join('') || `<p class="muted">${esc(set.notes.join(' ') || 'no scenario now')}</p>`}`;
      });
    },
  };
}
