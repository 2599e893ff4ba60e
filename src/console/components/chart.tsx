// A live time-series chart (uPlot, drawn on a canvas) with a text caption of each series' latest value
// and peak, so the figures are readable without seeing the canvas.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { latestAndPeak, type ChartData } from '../metrics-series.js';

export interface SeriesSpec {
  label: string;
  color: string;
  dash?: number[];
}

const fmt = (v: number | null, unit: string): string => (v === null ? '—' : `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)}${unit}`);

export function Chart({ title, unit, series, data, id }: { title: string; unit: string; series: SeriesSpec[]; data: ChartData; id: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = box.current!;
    const opts: uPlot.Options = {
      width: Math.max(240, el.clientWidth),
      height: 170,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (_u, min, max) => [0, Math.max(1, max ?? 0, min ?? 0) * 1.15] } },
      axes: [
        { stroke: '#5b6475', grid: { stroke: '#eceff4' }, ticks: { stroke: '#d8dde6' }, font: '11px system-ui, sans-serif' },
        { stroke: '#5b6475', grid: { stroke: '#eceff4' }, ticks: { stroke: '#d8dde6' }, font: '11px system-ui, sans-serif', size: 48 },
      ],
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, dash: s.dash, points: { show: false }, spanGaps: true }))],
    };
    plot.current = new uPlot(opts, data as uPlot.AlignedData, el);
    const ro = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(240, el.clientWidth), height: 170 }));
    ro.observe(el);
    return () => { ro.disconnect(); plot.current?.destroy(); plot.current = null; };
  }, [series.length]);

  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData);
  }, [data]);

  return (
    <figure class="chart" aria-labelledby={`${id}-title`} data-chart={id} data-points={data[0].length}>
      <div class="chart-head">
        <h4 id={`${id}-title`}>{title}</h4>
        <ul class="chart-legend">
          {series.map((s, i) => {
            const { latest, peak } = latestAndPeak(data[i + 1] ?? []);
            return (
              <li key={s.label} data-series={s.label} data-latest={latest ?? ''} data-peak={peak ?? ''}>
                <span class="swatch" aria-hidden="true" style={{ background: s.color }} />
                {s.label} <strong>{fmt(latest, unit)}</strong> <span class="muted">peak {fmt(peak, unit)}</span>
              </li>
            );
          })}
        </ul>
      </div>
      <div class="chart-canvas" ref={box} role="img" aria-label={`${title} over the last minutes`} />
    </figure>
  );
}
