/** ECharts with only what the panels draw (tree-shaken: heatmap, gauge; canvas renderer). */
import * as echarts from 'echarts/core';
import { GaugeChart, HeatmapChart } from 'echarts/charts';
import { GridComponent, MarkLineComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([HeatmapChart, GaugeChart, GridComponent, MarkLineComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

/** An ECharts instance on `el` that follows the element's size. */
export function chartOn(el: HTMLElement): echarts.ECharts {
  const chart = echarts.init(el, undefined, { renderer: 'canvas' });
  new ResizeObserver(() => chart.resize()).observe(el);
  return chart;
}

export { echarts };
