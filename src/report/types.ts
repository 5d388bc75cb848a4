// What a run hands the report, and how the report may be tuned.

export type MetricValue = string | number | boolean | null;
export type ResultRow = Record<string, string | number>;

export interface EmbeddingSet {
  /** e.g. 'encoder', 'projection'. */
  name: string;
  dim: number;
  /** [n, dim] row-major. */
  vectors: Float32Array;
  /** [n] indices into `classes`. */
  labels: Int32Array;
  classes: string[];
}

export interface ReportInput {
  title: string;
  /** Resolved config, shown as pretty JSON. */
  config: unknown;
  /**
   * JSONL metrics records: {kind:'step', stage, step, epoch, loss, lr, images_per_s} and
   * {kind:'epoch', stage, epoch, loss, train_accuracy?, test_accuracy?, knn_accuracy?}.
   */
  metrics: Array<Record<string, MetricValue>>;
  /** matrix[truth][predicted] counts. */
  confusion?: { classes: string[]; matrix: number[][] };
  embeddings?: EmbeddingSet[];
  /** A results table, e.g. one row per method (SupCon, cross-entropy). */
  results?: ResultRow[];
}

export interface ReportOptions {
  /** 2-D map method for the embeddings (default 'pca'; 'tsne' is exact, O(n^2)). */
  method?: 'pca' | 'tsne';
  /** Log-scale loss axis: 'auto' (default) when the positive losses span two decades or more. */
  logScale?: boolean | 'auto';
  /** Most points per embedding map, subsampled stratified by class (default 2000). */
  maxPoints?: number;
  /** Seeds the subsampling and t-SNE (default 0). */
  seed?: number;
  /** PNG rasterisation density in DPI: 72 keeps the SVG's pixel size (default 144, twice it). */
  density?: number;
}
