import {
  CandlestickSeries,
  ColorType,
  createChart,
  createSeriesMarkers,
  LineSeries,
  LineStyle,
  type CandlestickData,
  type IPriceLine,
  type ISeriesApi,
  type SeriesMarker,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import { createFrame, subscribeInto, type Panel } from '../panel';
import { esc, label, price } from '../format';
import {
  DashboardCandlesDocument,
  DashKeyLevelsDocument,
  DashStructureDocument,
  DashTrapsDocument,
  DashVolumeDocument,
  DashVolumeProfileDocument,
  type DashKeyLevelsSubscription,
  type DashStructureSubscription,
  type DashTrapsSubscription,
  type DashVolumeProfileSubscription,
} from '../gql/graphql';
import { COLORS } from '../theme';

/** The chart's candle interval (the structure and trap analyses run on 15 m candles too). */
const BAR_MS = 15 * 60_000;
const bucket = (iso: string): UTCTimestamp => (Math.floor(Date.parse(iso) / BAR_MS) * BAR_MS) / 1000 as UTCTimestamp;

/**
 * Candles (15 m) with the analyses drawn over them: key levels (nearest 8), value area high/low and POC
 * (volume profile), session and anchored VWAP (volume analysis), BOS/CHOCH (market structure) and traps.
 * The open candle follows the live price (keyLevelsUpdated, about once a second); the candles are read
 * again when a 5 m candle closes (volumeUpdated) and after a reconnect.
 */
export function createPriceChartPanel(onPrice: (price: number, symbol: string) => void): Panel {
  const frame = createFrame('price', 'Price · 15 m', { wide: true });
  frame.body.innerHTML = `<div class="chart" data-testid="price-chart"></div><div class="legend"></div>`;
  const container = frame.body.querySelector<HTMLElement>('.chart')!;
  const legend = frame.body.querySelector<HTMLElement>('.legend')!;
  const chart = createChart(container, {
    autoSize: true,
    layout: { background: { type: ColorType.Solid, color: COLORS.panel }, textColor: COLORS.muted, fontSize: 11 },
    grid: { vertLines: { color: COLORS.grid }, horzLines: { color: COLORS.grid } },
    rightPriceScale: { borderColor: COLORS.border },
    timeScale: { borderColor: COLORS.border, timeVisible: true, secondsVisible: false },
    crosshair: { mode: 0 },
  });
  const candles: ISeriesApi<'Candlestick'> = chart.addSeries(CandlestickSeries, {
    upColor: COLORS.up,
    downColor: COLORS.down,
    borderVisible: false,
    wickUpColor: COLORS.up,
    wickDownColor: COLORS.down,
  });
  const sessionVwap = chart.addSeries(LineSeries, { color: COLORS.vwap, lineWidth: 2, priceLineVisible: false, lastValueVisible: false, title: 'VWAP' });
  const anchoredVwap = chart.addSeries(LineSeries, { color: COLORS.anchored, lineWidth: 1, lineStyle: LineStyle.Dotted, priceLineVisible: false, lastValueVisible: false, title: 'AVWAP' });
  const markers = createSeriesMarkers(candles, []);

  let bars: CandlestickData<UTCTimestamp>[] = [];
  let levelLines: IPriceLine[] = [];
  let areaLines: IPriceLine[] = [];
  let structure: DashStructureSubscription['marketStructureUpdated'] | undefined;
  let traps: DashTrapsSubscription['trapsUpdated'] | undefined;
  let profile: DashVolumeProfileSubscription['volumeProfileUpdated'] | undefined;
  let levels: DashKeyLevelsSubscription['keyLevelsUpdated'] | undefined;
  let vwapNow: number | null = null;

  const drawMarkers = () => {
    if (!bars.length) return;
    const first = bars[0]!.time;
    const list: SeriesMarker<Time>[] = [];
    for (const e of structure?.events ?? []) {
      const t = bucket(e.time);
      if (t < first) continue;
      const bull = e.direction === 'BULLISH';
      list.push({ time: t, position: bull ? 'belowBar' : 'aboveBar', shape: bull ? 'arrowUp' : 'arrowDown', color: bull ? COLORS.up : COLORS.down, text: e.kind });
    }
    for (const trap of traps?.traps ?? []) {
      const t = bucket(trap.time);
      if (t < first) continue;
      list.push({ time: t, position: trap.direction === 'BULLISH' ? 'belowBar' : 'aboveBar', shape: 'circle', color: COLORS.trap, text: 'trap' });
    }
    list.sort((a, b) => (a.time as number) - (b.time as number));
    markers.setMarkers(list);
  };
  const drawLevels = () => {
    for (const l of levelLines) candles.removePriceLine(l);
    levelLines = [];
    if (!levels) return;
    const nearest = [...levels.levels].sort((a, b) => Math.abs(a.price - levels!.price) - Math.abs(b.price - levels!.price)).slice(0, 8);
    for (const l of nearest) {
      levelLines.push(
        candles.createPriceLine({
          price: l.price,
          color: l.side === 'SUPPORT' ? COLORS.support : COLORS.resistance,
          lineWidth: 1,
          lineStyle: LineStyle.Dashed,
          axisLabelVisible: false,
          title: label(l.kind).replace('swing cluster', 'swing').replace('fib retracement', 'fib').replace('fib extension', 'fib ext'),
        }),
      );
    }
  };
  const drawArea = () => {
    for (const l of areaLines) candles.removePriceLine(l);
    areaLines = [];
    if (!profile) return;
    const add = (p: number | null | undefined, title: string, color: string) => {
      if (p != null) areaLines.push(candles.createPriceLine({ price: p, color, lineWidth: 1, lineStyle: LineStyle.Solid, axisLabelVisible: true, title }));
    };
    add(profile.valueAreaHigh, 'VAH', COLORS.valueArea);
    add(profile.valueAreaLow, 'VAL', COLORS.valueArea);
    add(profile.poc?.price, 'POC', COLORS.poc);
  };
  const drawLegend = () => {
    legend.innerHTML = [
      `<span><i style="background:${COLORS.vwap}"></i>VWAP ${esc(price(vwapNow))}</span>`,
      `<span><i style="background:${COLORS.valueArea}"></i>value area ${esc(price(profile?.valueAreaLow))}–${esc(price(profile?.valueAreaHigh))} (${esc(label(profile?.position))})</span>`,
      `<span><i style="background:${COLORS.poc}"></i>POC ${esc(price(profile?.poc?.price))}</span>`,
      `<span><i style="background:${COLORS.support}"></i>support / <i style="background:${COLORS.resistance}"></i>resistance</span>`,
      `<span>structure ${esc(label(structure?.trend))} · ▲▼ BOS/CHOCH · ● trap</span>`,
    ].join('');
  };

  return {
    frame,
    open(symbol, live) {
      bars = [];
      candles.setData([]);
      sessionVwap.setData([]);
      anchoredVwap.setData([]);
      markers.setMarkers([]);
      structure = traps = profile = levels = undefined;
      drawLevels();
      drawArea();
      let fitted = false;
      let stopCandles: (() => void) | undefined;
      const readCandles = () => {
        stopCandles?.();
        stopCandles = subscribeInto(frame, live, DashboardCandlesDocument, { symbol }, (data) => {
          const md = data.market.data;
          frame.provenance('candles', md?.meta);
          if (!md) return;
          const fresh = md.candles.map((c) => ({ time: bucket(c.openTime), open: c.open, high: c.high, low: c.low, close: c.close }));
          // Keep the live-built open candle when the read ends before it.
          const last = bars[bars.length - 1];
          if (last && fresh.length && last.time > fresh[fresh.length - 1]!.time) fresh.push(last);
          bars = fresh;
          candles.setData(bars);
          drawMarkers();
          if (!fitted && bars.length) {
            chart.timeScale().setVisibleLogicalRange({ from: Math.max(0, bars.length - 120), to: bars.length + 3 });
            fitted = true;
          }
        });
      };
      readCandles();
      const stops = [
        () => stopCandles?.(),
        live.onConnected(readCandles),
        subscribeInto(frame, live, DashKeyLevelsDocument, { symbol }, (data) => {
          levels = data.keyLevelsUpdated;
          frame.provenance('keyLevels', levels.meta);
          onPrice(levels.price, symbol);
          const t = bucket(levels.time);
          const last = bars[bars.length - 1];
          if (last && t === last.time) {
            last.close = levels.price;
            last.high = Math.max(last.high, levels.price);
            last.low = Math.min(last.low, levels.price);
            candles.update(last);
          } else if (last && t > last.time) {
            const bar = { time: t, open: last.close, high: Math.max(last.close, levels.price), low: Math.min(last.close, levels.price), close: levels.price };
            bars.push(bar);
            candles.update(bar);
          }
          drawLevels();
        }),
        subscribeInto(frame, live, DashVolumeDocument, { symbol }, (data) => {
          const v = data.volumeUpdated;
          frame.provenance('volume', v.meta);
          // One VWAP point per 15 m bar (the last 5 m value in it), on the candles' own times.
          const session = new Map<number, number>();
          const anchored = new Map<number, number>();
          for (const b of v.series) {
            if (b.sessionVwap != null) session.set(bucket(b.time), b.sessionVwap);
            if (b.anchoredVwap != null) anchored.set(bucket(b.time), b.anchoredVwap);
          }
          const line = (m: Map<number, number>) => [...m].sort((a, b) => a[0] - b[0]).map(([time, value]) => ({ time: time as UTCTimestamp, value }));
          sessionVwap.setData(line(session));
          anchoredVwap.setData(line(anchored));
          vwapNow = [...session.values()].pop() ?? null;
          drawLegend();
          if (bars.length) readCandles();
        }),
        subscribeInto(frame, live, DashVolumeProfileDocument, { symbol }, (data) => {
          profile = data.volumeProfileUpdated;
          frame.provenance('volumeProfile', profile.meta);
          drawArea();
          drawLegend();
        }),
        subscribeInto(frame, live, DashStructureDocument, { symbol }, (data) => {
          structure = data.marketStructureUpdated;
          frame.provenance('structure', structure.meta);
          drawMarkers();
          drawLegend();
        }),
        subscribeInto(frame, live, DashTrapsDocument, { symbol }, (data) => {
          traps = data.trapsUpdated;
          frame.provenance('traps', traps.meta);
          drawMarkers();
        }),
      ];
      drawLegend();
      return () => {
        for (const stop of stops) stop();
      };
    },
  };
}
