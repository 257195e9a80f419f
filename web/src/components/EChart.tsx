// ECharts with only the parts the console uses (bar and pie charts, grid,
// tooltip, legend, canvas renderer), so the bundle stays small. Loaded on
// demand through Chart.tsx: ECharts is its own chunk, fetched after the page
// that shows a chart has rendered its numbers.
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, PieChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, LegendComponent, AriaComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { EChartsCoreOption } from 'echarts/core';

echarts.use([BarChart, PieChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, CanvasRenderer]);

/** A chart; `label` names it for screen readers (role img). */
export default function EChart({ option, label }: { option: EChartsCoreOption; label: string }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts>(undefined);
  useEffect(() => {
    if (!el.current) return;
    chart.current = echarts.init(el.current);
    // Follow the card's size (grid columns settle after the first paint).
    const ro = new ResizeObserver(() => chart.current?.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      chart.current?.dispose();
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption({ aria: { enabled: true }, ...option }, true);
  }, [option]);
  return <div ref={el} className="chart" role="img" aria-label={label} />;
}
