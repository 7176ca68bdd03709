import { createFrame, subscribeInto, type Panel } from '../panel';
import { esc, fraction, label, num, pct, tone } from '../format';
import { DashRegimeDocument, DashVolatilityDocument, type DashRegimeSubscription, type DashVolatilitySubscription } from '../gql/graphql';

/**
 * Volatility (1 h: regime STABLE … EXTREME, ATR %, its percentile, realised volatility, the position-size
 * multiplier) and the multi-timeframe regime (trend up/down or range per 1 h, 4 h, 1 d, 1 w with ADX,
 * the agreement, the Wyckoff-like phase and the return tendency).
 */
export function createVolatilityRegimePanel(): Panel {
  const frame = createFrame('regime', 'Volatility & regime');
  let vol: DashVolatilitySubscription['volatilityUpdated'] | undefined;
  let regime: DashRegimeSubscription['regimeUpdated'] | undefined;
  const draw = () => {
    const v = vol;
    const r = regime;
    frame.body.innerHTML = `
      <div class="two">
        <div>
          <div class="big ${v?.regime === 'STABLE' ? 'up' : v?.regime ? 'down' : 'muted'}">${esc(v ? label(v.regime) : '–')}</div>
          <div class="kv"><span>ATR</span><b>${esc(pct(v?.atrPct, 2))}</b></div>
          <div class="kv"><span>ATR percentile</span><b>${esc(num(v?.atrPctPercentile, 0))}</b></div>
          <div class="kv"><span>realised vol (ann.)</span><b>${esc(fraction(v?.realizedVol, 1))}</b></div>
          <div class="kv"><span>Bollinger width</span><b>${esc(pct(v?.bollinger?.bandwidthPct, 2))}</b></div>
          <div class="kv"><span>size multiplier</span><b>${esc(num(v?.riskMultiplier, 2))}×</b></div>
        </div>
        <div>
          <div class="big ${tone(r?.primaryRegime)}">${esc(r ? label(r.primaryRegime) : '–')}</div>
          <div class="kv"><span>phase</span><b class="${tone(r?.phase)}">${esc(label(r?.phase))}</b></div>
          <div class="kv"><span>agreement · confidence</span><b>${esc(r ? `${r.agreement} · ${r.confidence}` : '–')}</b></div>
          <div class="kv"><span>tendency</span><b>${esc(label(r?.tendency))}</b></div>
          <div class="kv"><span>Hurst</span><b>${esc(num(r?.hurst, 2))}</b></div>
        </div>
      </div>
      <table class="tbl"><thead><tr><th>timeframe</th><th>regime</th><th>ADX</th></tr></thead><tbody>
      ${(r?.timeframes ?? []).map((t) => `<tr title="${esc(t.note)}"><td>${esc(t.timeframe.slice(1).toLowerCase())}</td><td class="${tone(t.regime)}">${esc(t.hasData ? label(t.regime) : 'no data')}</td><td>${esc(num(t.adx, 0))}</td></tr>`).join('')}
      </tbody></table>`;
  };
  return {
    frame,
    open(symbol, live) {
      vol = regime = undefined;
      draw();
      return (() => {
        const stops = [
          subscribeInto(frame, live, DashVolatilityDocument, { symbol }, (data) => {
            vol = data.volatilityUpdated;
            frame.provenance('volatility', vol.meta);
            draw();
          }),
          subscribeInto(frame, live, DashRegimeDocument, { symbol }, (data) => {
            regime = data.regimeUpdated;
            frame.provenance('regime', regime.meta);
            draw();
          }),
        ];
        return () => stops.forEach((s) => s());
      })();
    },
  };
}
