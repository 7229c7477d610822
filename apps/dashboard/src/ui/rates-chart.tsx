import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { RateSeries } from '../model/rate-tracker.js';
import { formatRate } from './format-time.js';
import { serviceColour } from './service-colours.js';

export interface RatesChartProps {
  readonly series: RateSeries;
}

const HEIGHT = 180;

/** Messages per minute per service (uPlot, one series per service), redrawn at ~1 Hz. */
export function RatesChart({ series }: RatesChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | undefined>(undefined);
  const shape = useRef('');

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const key = series.services.join(',');
    const data = [series.xs, ...series.ys] as uPlot.AlignedData;
    if (chart.current && shape.current === key) {
      chart.current.setData(data);
      return;
    }
    // The set of services changed: uPlot's series are fixed per instance, so rebuild it.
    chart.current?.destroy();
    shape.current = key;
    chart.current = new uPlot(
      {
        width: Math.max(200, element.clientWidth),
        height: HEIGHT,
        legend: { show: true, live: false },
        tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: (_self, _min, max) => [0, Math.max(10, max * 1.1)] } },
        axes: [
          { stroke: '#555', grid: { stroke: '#eee' } },
          {
            stroke: '#555',
            grid: { stroke: '#eee' },
            size: 56,
            values: (_self, ticks) => ticks.map((tick) => String(Math.round(tick))),
          },
        ],
        series: [
          { label: 'time (UTC)' },
          ...series.services.map((service, index) => ({
            label: service,
            stroke: serviceColour(service),
            width: 2,
            // A dash pattern per series, so lines differ by more than colour.
            dash: index % 3 === 0 ? undefined : index % 3 === 1 ? [6, 3] : [2, 3],
            value: (_self: uPlot, value: number | null) =>
              value === null ? '–' : `${formatRate(value)}/min`,
          })),
        ],
      },
      data,
      element,
    );
  }, [series]);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const observer = new ResizeObserver(() =>
      chart.current?.setSize({ width: Math.max(200, element.clientWidth), height: HEIGHT }),
    );
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.current?.destroy();
      chart.current = undefined;
    };
  }, []);

  return (
    <figure class="rates">
      <div ref={container} class="rates-canvas" role="img" aria-label={describe(series)} />
      <figcaption class="muted">
        Messages per minute per service (each point counts the minute before it), last 5 minutes, UTC.
      </figcaption>
    </figure>
  );
}

/** A text equivalent of the chart for screen readers. */
function describe(series: RateSeries): string {
  if (series.services.length === 0) return 'Rates chart: no messages yet.';
  const latest = series.services.map((service, index) => {
    const values = series.ys[index] ?? [];
    return `${service} ${formatRate(values[values.length - 1] ?? 0)} per minute`;
  });
  return `Rates chart, latest: ${latest.join(', ')}.`;
}
