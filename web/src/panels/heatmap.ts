import { chartOn } from '../echarts';
import { createFrame, subscribeInto, type Panel } from '../panel';
import { esc, fraction, label, pct, price, time, tone, usd } from '../format';
import { DashHeatmapDocument, type DashHeatmapSubscription } from '../gql/graphql';
import { COLORS, HEAT } from '../theme';

type Heatmap = DashHeatmapSubscription['liquidationHeatmapUpdated'];

/**
 * The estimated liquidation map as a price × time picture: each column is one time slice of the
 * liquidationHeatmap analysis' timeline, each cell the notional estimated to liquidate at that price
 * (brighter = more). The current price and the whale targets are marked; beside it the cascade
 * probabilities (up/down) and the largest targets.
 */
export function createHeatmapPanel(): Panel {
  const frame = createFrame('heatmap', 'Liquidation heatmap', { wide: true });
  frame.body.innerHTML = `<div class="split"><div class="chart heat" data-testid="heatmap"></div><div class="side"></div></div>`;
  const el = frame.body.querySelector<HTMLElement>('.chart')!;
  const side = frame.body.querySelector<HTMLElement>('.side')!;
  const chart = chartOn(el);

  const draw = (h: Heatmap) => {
    const { prices, slices, maxNotional } = h.timeline;
    const times = slices.map((s) => time(s.time).slice(0, 5));
    const data: [number, number, number][] = [];
    slices.forEach((s, x) => s.notional.forEach((v, y) => v > 0 && data.push([x, y, v])));
    const yLabels = prices.map((p) => price(p));
    const nearestIndex = (p: number) => {
      let best = 0;
      for (let i = 1; i < prices.length; i += 1) if (Math.abs(prices[i]! - p) < Math.abs(prices[best]! - p)) best = i;
      return best;
    };
    const marks = [
      { yAxis: nearestIndex(h.price), name: 'price', lineStyle: { color: '#ffffff', type: 'solid' as const, width: 1 }, label: { formatter: `price ${price(h.price)}`, color: '#fff' } },
      ...h.whaleTargets.slice(0, 4).map((t) => ({
        yAxis: nearestIndex(t.price),
        name: 'whale target',
        lineStyle: { color: t.side === 'LONG' ? COLORS.down : COLORS.up, type: 'dashed' as const, width: 1 },
        label: { formatter: `${t.side.toLowerCase()} liqs ${usd(t.notional)}`, color: COLORS.text },
      })),
    ];
    chart.setOption(
      {
        animation: false,
        backgroundColor: COLORS.panel,
        grid: { left: 70, right: 12, top: 8, bottom: 28 },
        tooltip: { position: 'top', formatter: (p: { data: [number, number, number] }) => `${times[p.data[0]]} · ${yLabels[p.data[1]]}<br>${usd(p.data[2])}` },
        xAxis: { type: 'category', data: times, axisLabel: { color: COLORS.muted, fontSize: 10 }, axisLine: { lineStyle: { color: COLORS.border } } },
        yAxis: { type: 'category', data: yLabels, axisLabel: { color: COLORS.muted, fontSize: 10, interval: Math.max(0, Math.floor(prices.length / 10) - 1) }, axisLine: { lineStyle: { color: COLORS.border } } },
        visualMap: { show: false, min: 0, max: maxNotional > 0 ? maxNotional : 1, inRange: { color: HEAT } },
        series: [
          {
            type: 'heatmap',
            data,
            progressive: 0,
            emphasis: { disabled: true },
            markLine: { silent: true, symbol: 'none', data: marks, label: { position: 'insideEndTop', fontSize: 10 } },
          },
        ],
      },
      { notMerge: true },
    );
    const c = h.cascade;
    side.innerHTML = `
      <div class="kv"><span>pressure</span><b class="${tone(h.pressure)}">${esc(label(h.pressure))}</b></div>
      <p class="note">${esc(h.signal)}</p>
      <h3>Cascade probability</h3>
      <div class="bar-row"><span>up</span><div class="bar"><i class="up" style="width:${(c.upProbability ?? 0) * 100}%"></i></div><b data-testid="cascade-up">${esc(fraction(c.upProbability))}</b></div>
      <div class="bar-row"><span>down</span><div class="bar"><i class="down" style="width:${(c.downProbability ?? 0) * 100}%"></i></div><b>${esc(fraction(c.downProbability))}</b></div>
      <div class="kv"><span>direction</span><b class="${tone(c.direction)}">${esc(label(c.direction))}</b></div>
      <h3>Whale targets</h3>
      <table class="tbl"><thead><tr><th>side</th><th>price</th><th>notional</th><th>dist</th></tr></thead><tbody>
      ${h.whaleTargets.slice(0, 6).map((t) => `<tr><td class="${t.side === 'LONG' ? 'down' : 'up'}">${esc(t.side.toLowerCase())}</td><td>${esc(price(t.price))}</td><td>${esc(usd(t.notional))}</td><td title="risk ${esc(label(t.risk))}">${esc(pct(t.distancePct, 1))}</td></tr>`).join('') || '<tr><td colspan="4" class="muted">none</td></tr>'}
      </tbody></table>
      ${h.warmingUp ? '<p class="muted">warming up: not enough history yet</p>' : ''}`;
  };

  return {
    frame,
    open(symbol, live) {
      chart.clear();
      side.innerHTML = '';
      return subscribeInto(frame, live, DashHeatmapDocument, { symbol }, (data) => {
        frame.provenance('heatmap', data.liquidationHeatmapUpdated.meta);
        draw(data.liquidationHeatmapUpdated);
      });
    },
  };
}
