import { chartOn } from '../echarts';
import { createFrame, subscribeInto, type Panel } from '../panel';
import { esc, fraction, label, num, tone } from '../format';
import { DashConfirmationDocument } from '../gql/graphql';
import { COLORS } from '../theme';

/**
 * The 12-layer confirmation (1 h): the composite score on a gauge (0 bearish … 100 bullish), its signal,
 * strength, quality and coverage (the share of layer weight that had data), and every layer with its
 * direction, score and one-line reading; a layer without its inputs says which are missing.
 */
export function createConfirmationPanel(): Panel {
  const frame = createFrame('confirmation', 'Confirmation · 12 layers');
  frame.body.innerHTML = `<div class="gauge-row"><div class="gauge"></div><div class="summary"></div></div><ol class="layers"></ol>`;
  const gauge = chartOn(frame.body.querySelector<HTMLElement>('.gauge')!);
  const summary = frame.body.querySelector<HTMLElement>('.summary')!;
  const layers = frame.body.querySelector<HTMLElement>('.layers')!;
  return {
    frame,
    open(symbol, live) {
      layers.innerHTML = '';
      summary.innerHTML = '';
      return subscribeInto(frame, live, DashConfirmationDocument, { symbol }, (data) => {
        const c = data.confirmationUpdated;
        frame.provenance('confirmation', c.meta);
        gauge.setOption({
          animation: false,
          series: [
            {
              type: 'gauge',
              min: 0,
              max: 100,
              startAngle: 200,
              endAngle: -20,
              radius: '95%',
              center: ['50%', '60%'],
              axisLine: { lineStyle: { width: 10, color: [[0.4, COLORS.down], [0.6, COLORS.muted], [1, COLORS.up]] } },
              pointer: { width: 4, itemStyle: { color: COLORS.text } },
              axisTick: { show: false },
              splitLine: { length: 6, lineStyle: { color: COLORS.border } },
              axisLabel: { color: COLORS.muted, fontSize: 9, distance: 12 },
              detail: { valueAnimation: false, fontSize: 18, color: COLORS.text, offsetCenter: [0, '35%'], formatter: (v: number) => num(v, 1) },
              data: [{ value: c.score }],
            },
          ],
        });
        const d = c.distribution;
        summary.innerHTML = `
          <div class="big ${tone(c.signal)}" data-testid="confirmation-signal">${esc(c.signal)}</div>
          <div class="kv"><span>strength</span><b>${esc(label(c.strength))}</b></div>
          <div class="kv"><span>quality</span><b>${esc(label(c.quality))}</b></div>
          <div class="kv"><span>coverage</span><b>${esc(fraction(c.coverage))}</b></div>
          <div class="kv"><span>layers</span><b><span class="up">${d.bullish}▲</span> <span class="down">${d.bearish}▼</span> ${d.neutral}= ${d.unavailable}∅</b></div>
          <p class="note">${esc(c.recommendation)}</p>`;
        layers.innerHTML = c.layers
          .map(
            (l) => `<li class="${l.available ? '' : 'off'}"><span class="name">${esc(label(l.name))}</span>
            <span class="dir ${tone(l.direction)}">${l.available ? esc(label(l.direction)) : 'n/a'}</span>
            <span class="score">${l.available ? esc(num(l.score, 0)) : '–'}</span>
            <span class="reading">${esc(l.available ? l.reading : `missing: ${l.missingInputs.join(', ') || l.reading}`)}</span></li>`,
          )
          .join('');
      });
    },
  };
}
