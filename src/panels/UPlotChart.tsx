// A uPlot line chart that follows the container's width and the system theme, and takes new data
// in requestAnimationFrame only when `version()` changes. uPlot draws axes, grid, legend and the
// hover readout; we only describe series and data.
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
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

/** Axis styling shared by every chart. */
export function axis(theme: Theme, extra: uPlot.Axis = {}): uPlot.Axis {
  return { stroke: theme.muted, grid: { stroke: theme.grid, width: 1 }, ticks: { stroke: theme.grid, width: 1 }, ...extra };
}

export interface UPlotChartProps {
  testId: string;
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

export function UPlotChart({ testId, height = 220, options, optionsKey, data, version, onChart, markers }: UPlotChartProps) {
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
  useAnimationFrame(version, () => chart.current?.setData(data(width)), [optionsKey, theme, width]);

  return <div ref={box} className="chart" data-testid={testId} />;
}
