// Public surface of src/report: the per-run HTML/PNG report and the results table.
export type { ReportInput, ReportOptions, EmbeddingSet, MetricValue, ResultRow } from './types.ts';
export { writeReport, type ReportFiles } from './write_report.ts';
export { writeResultsTable, resultsTableHtml, formatCell } from './results_table.ts';
export { pca, type PcaResult, type PcaOptions } from './pca.ts';
export { tsne, type TsneOptions } from './tsne.ts';
export { stratifiedSample } from './subsample.ts';
