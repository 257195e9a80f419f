// The chart pages use: a lazy wrapper around EChart.tsx so ECharts (the
// largest library of the console) is not part of any page's initial
// JavaScript. Until it arrives the placeholder keeps the chart's box and its
// accessible name, so the layout does not move.
import { lazy, Suspense } from 'react';
import type { EChartsCoreOption } from 'echarts/core';

const EChart = lazy(() => import('./EChart'));

/** A chart; `label` names it for screen readers (role img). */
export function Chart({ option, label }: { option: EChartsCoreOption; label: string }) {
  return (
    <Suspense fallback={<div className="chart" role="img" aria-label={label} aria-busy="true" />}>
      <EChart option={option} label={label} />
    </Suspense>
  );
}
