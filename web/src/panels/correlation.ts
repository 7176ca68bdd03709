import { chartOn } from '../echarts';
import { createFrame, subscribeInto, type Panel } from '../panel';
import { esc, label, num } from '../format';
import { DashCorrelationsDocument } from '../gql/graphql';
import { COLORS } from '../theme';

/**
 * The correlation matrix (Pearson of 1 h returns over the default window) of every tracked symbol, the
 * average, the cross-asset regime and correlation breaks (a pair moving away from its baseline).
 * Market-wide: it does not change with the symbol switcher.
 */
export function createCorrelationPanel(): Panel {
  const frame = createFrame('correlation', 'Correlation (1 h, Pearson)');
  frame.body.innerHTML = `<div class="chart corr" data-testid="correlation"></div><div class="corr-notes"></div>`;
  const chart = chartOn(frame.body.querySelector<HTMLElement>('.chart')!);
  const notes = frame.body.querySelector<HTMLElement>('.corr-notes')!;
  let opened = false;
  return {
    frame,
    open(_symbol, live) {
      // Market-wide: one subscription for the page's lifetime, kept across symbol switches.
      if (opened) return () => {};
      opened = true;
      return subscribeInto(frame, live, DashCorrelationsDocument, {}, (data) => {
        const m = data.correlationsUpdated;
        frame.provenance('correlation', m.meta);
        const cells: [number, number, number | null][] = [];
        m.pearson.forEach((row, y) => row.values.forEach((v, x) => cells.push([x, y, v])));
        const names = m.symbols.map((s) => s.replace(/USDT$/, ''));
        chart.setOption(
          {
            animation: false,
            backgroundColor: COLORS.panel,
            grid: { left: 48, right: 8, top: 8, bottom: 24 },
            xAxis: { type: 'category', data: names, axisLabel: { color: COLORS.muted, fontSize: 10 } },
            yAxis: { type: 'category', data: names, axisLabel: { color: COLORS.muted, fontSize: 10 } },
            visualMap: { show: false, min: -1, max: 1, inRange: { color: ['#b04545', '#1a2230', '#26a69a'] } },
            series: [
              {
                type: 'heatmap',
                data: cells.map(([x, y, v]) => [x, y, v ?? '-']),
                label: { show: names.length <= 8, color: COLORS.text, fontSize: 10, formatter: (p: { data: [number, number, number | string] }) => (typeof p.data[2] === 'number' ? num(p.data[2], 2) : '–') },
                emphasis: { disabled: true },
              },
            ],
          },
          { notMerge: true },
        );
        notes.innerHTML = `<div class="kv"><span>average</span><b>${esc(num(m.averageCorrelation, 2))}</b></div>
          <div class="kv"><span>cross-asset regime</span><b>${esc(label(m.regime?.regime))}</b></div>
          ${m.breaks.slice(0, 3).map((b) => `<p class="note">${esc(label(b.severity))}: ${esc(b.note)}</p>`).join('')}
          ${m.warmingUp ? '<p class="muted">warming up</p>' : ''}`;
      });
    },
  };
}
