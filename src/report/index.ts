// Reporting for training scripts (Node only): progress bars, tables, terminal and SVG charts, run folders.

export { TrainingProgress, type ProgressBar, type StepMetrics, type TrainingProgressOptions } from "./progress.ts";
export { formatTable, type Column, type Cell, type TableOptions } from "./table.ts";
export {
  formatNumber,
  formatFixed,
  formatExp,
  formatPercent,
  formatInteger,
  formatSeconds,
  stripAnsi,
  displayWidth,
  colorEnabled,
} from "./format.ts";
export { asciiLineChart, type AsciiSeries, type AsciiChartOptions } from "./ascii-chart.ts";
export {
  lineChartSpec,
  lineChartSvg,
  renderSvg,
  emaSmooth,
  SERIES_COLORS,
  type LineChartOptions,
  type ChartSeries,
  type Point,
} from "./charts.ts";
export {
  RunRecorder,
  createRunDir,
  writeFileAtomic,
  formatMetricsJson,
  formatMetricsCsv,
  parseMetrics,
  readMetrics,
  type MetricsFile,
  type MetricRecord,
  type MetricValue,
  type RunRecorderOptions,
} from "./metrics.ts";
export { trajectoryChartSvg, trajectoryAnimationHtml, type AnimationPanel, type TrajectoryPath } from "./trajectory-chart.ts";
export { DivergenceCheck, DEFAULT_DIVERGENCE_RULE, type DivergenceRule, type DivergenceState } from "./divergence.ts";
