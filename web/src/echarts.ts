/** ECharts with only what the panels draw (tree-shaken: heatmap, gauge; canvas renderer). */
import * as echarts from 'echarts/core';
import { GaugeChart, HeatmapChart } from 'echarts/charts';
import { GridComponent, MarkLineComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([HeatmapChart, GaugeChart, GridComponent, MarkLineComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

export interface LazyChart {
  setOption(option: Record<string, unknown>, opts?: { notMerge?: boolean }): void;
  clear(): void;
}

/**
 * An ECharts instance on `el`, created on the first setOption (when the panel is in the page and has a
 * size: ECharts warns about a zero-sized element otherwise), following the element's size after that.
 */
export function chartOn(el: HTMLElement): LazyChart {
  let chart: echarts.ECharts | undefined;
  const get = () => {
    if (!chart) {
      chart = echarts.init(el, undefined, { renderer: 'canvas' });
      const c = chart;
      new ResizeObserver(() => c.resize()).observe(el);
    }
    return chart;
  };
  return {
    setOption: (option, opts) => get().setOption(option, opts),
    clear: () => chart?.clear(),
  };
}
