// A uPlot line chart that follows the container's width and the system theme, and takes new data
// in requestAnimationFrame only when `version()` changes. uPlot draws axes, grid, legend and the
// hover readout; we only describe series and data.
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { chartText } from './chartText';
import { observeWidth, useAnimationFrame } from './useAnimationFrame';

export interface Theme {
  text: string;
  grid: string;
  accent: string;
  muted: string;
  dark: boolean;
}

function readTheme(): Theme {
  const css = getComputedStyle(document.documentElement);
  const get = (name: string) => css.getPropertyValue(name).trim();
  return {
    text: get('--text'),
    grid: get('--border'),
    accent: get('--accent'),
    muted: get('--muted'),
    dark: matchMedia('(prefers-color-scheme: dark)').matches,
  };
}

function useTheme(): Theme {
  const [theme, setTheme] = useState(readTheme);
  useEffect(() => {
    const query = matchMedia('(prefers-color-scheme: dark)');
    const onChange = () => setTheme(readTheme());
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);
  return theme;
}

/** Axis tick labels for values as small as a learning rate: 3.2e-4. */
export const scientific = (_: uPlot, splits: number[]) => splits.map((v) => (v === 0 ? '0' : v.toExponential(1)));

/** Axis styling shared by every chart. */
export function axis(theme: Theme, extra: uPlot.Axis = {}): uPlot.Axis {
  return { stroke: theme.muted, grid: { stroke: theme.grid, width: 1 }, ticks: { stroke: theme.grid, width: 1 }, ...extra };
}

export interface UPlotChartProps {
  testId: string;
  /** What the chart shows, in words: the start of its text alternative. */
  title: string;
  /** The x axis in words (default: the first series' label). */
  xLabel?: string;
  /** How a value reads in the text alternative (default: three significant digits). */
  formatValue?: (value: number) => string;
  height?: number;
  /** Options for a width and theme; recreated when `optionsKey` changes. */
  options: (width: number, theme: Theme) => Omit<uPlot.Options, 'width' | 'height'>;
  optionsKey: string;
  data: (width: number) => uPlot.AlignedData;
  version: () => number;
  onChart?: (chart: uPlot | null) => void;
  /** Steps (x values) to mark with a red vertical line: where the verdict saw trouble begin. */
  markers?: () => number[];
}

/** Draws `markers()` as vertical lines over the plot area, after uPlot has drawn the series. */
function markerPlugin(markers: () => number[]): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        const { ctx, bbox } = u;
        ctx.save();
        ctx.strokeStyle = '#d55e00';
        ctx.lineWidth = 2 * devicePixelRatio;
        ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
        for (const x of markers()) {
          const left = u.valToPos(x, 'x', true);
          if (left < bbox.left || left > bbox.left + bbox.width) continue;
          ctx.beginPath();
          ctx.moveTo(left, bbox.top);
          ctx.lineTo(left, bbox.top + bbox.height);
          ctx.stroke();
        }
        ctx.restore();
      },
    },
  };
}

/** The canvas's text alternative: every series' latest value, kept current with the data (the DOM is
 *  written only when the words change). */
function describe(u: uPlot, title: string, xLabel: string | undefined, formatValue?: (value: number) => string): void {
  const series = u.series.slice(1).map((s, i) => ({ label: String(s.label ?? ''), values: u.data[i + 1] }));
  const text = chartText(title, xLabel ?? String(u.series[0].label ?? 'x'), u.data[0], series, formatValue);
  const canvas = u.ctx.canvas;
  if (canvas.getAttribute('aria-label') === text) return;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', text);
}

export function UPlotChart(props: UPlotChartProps) {
  const { testId, height = 220, options, optionsKey, data, version, onChart, markers, title, xLabel, formatValue } = props;
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const [width, setWidth] = useState(0);
  const theme = useTheme();
  const markersRef = useRef(markers);
  markersRef.current = markers;

  useEffect(() => (box.current ? observeWidth(box.current, setWidth) : undefined), []);
  useEffect(() => {
    if (!box.current || width === 0) return;
    const built = options(width, theme);
    const plugins = markers ? [...(built.plugins ?? []), markerPlugin(() => markersRef.current?.() ?? [])] : built.plugins;
    const u = new uPlot({ ...built, plugins, width, height }, data(width), box.current);
    chart.current = u;
    describe(u, title, xLabel, formatValue);
    onChart?.(u);
    return () => {
      onChart?.(null);
      u.destroy();
      chart.current = null;
    };
    // width changes only resize (below); options are rebuilt when their key or the theme changes
  }, [optionsKey, theme, width === 0]);
  useEffect(() => {
    if (chart.current && width > 0) chart.current.setSize({ width, height });
  }, [width, height]);
  useAnimationFrame(version, () => {
    if (!chart.current) return;
    chart.current.setData(data(width));
    describe(chart.current, title, xLabel, formatValue);
  }, [optionsKey, theme, width]);

  return <div ref={box} className="chart" data-testid={testId} />;
}
