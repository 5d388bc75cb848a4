// Loss and accuracy curves from the JSONL metrics records.

import type { TopLevelSpec } from 'vega-lite';
import type { MetricValue } from './types.ts';

type Rec = Record<string, MetricValue>;

/** Per-stage step-loss points above this are bucket-averaged: the SVG stays small, the trend stays. */
const MAX_POINTS_PER_STAGE = 1000;

function num(v: MetricValue | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function stageOf(r: Rec): string {
  return r.stage === undefined || r.stage === null ? 'train' : String(r.stage);
}

/** Averages consecutive points into at most `max` buckets. */
function downsample(points: Array<{ x: number; y: number }>, max: number): Array<{ x: number; y: number }> {
  if (points.length <= max) return points;
  const out: Array<{ x: number; y: number }> = [];
  const size = points.length / max;
  for (let b = 0; b < max; b++) {
    const bucket = points.slice(Math.floor(b * size), Math.floor((b + 1) * size));
    if (bucket.length === 0) continue;
    out.push({
      x: bucket.reduce((s, p) => s + p.x, 0) / bucket.length,
      y: bucket.reduce((s, p) => s + p.y, 0) / bucket.length,
    });
  }
  return out;
}

/** Whether a log axis suits these values: all positive and spanning at least two decades. */
export function wantsLogScale(values: number[], option: boolean | 'auto'): boolean {
  if (option === false || values.length === 0) return false;
  const min = Math.min(...values);
  if (min <= 0) return false; // a log axis cannot show zero or negative losses
  return option === true || Math.max(...values) / min >= 100;
}

/**
 * Loss against step, one line per stage. Falls back to epoch-level loss when the log has no step
 * records. Returns null when there is no loss at all.
 */
export function lossChart(metrics: Rec[], logScale: boolean | 'auto'): TopLevelSpec | null {
  let xName = 'step';
  let recs = metrics.filter((r) => r.kind === 'step' && num(r.step) !== null && num(r.loss) !== null);
  if (recs.length === 0) {
    xName = 'epoch';
    recs = metrics.filter((r) => r.kind === 'epoch' && num(r.epoch) !== null && num(r.loss) !== null);
  }
  if (recs.length === 0) return null;
  const byStage = new Map<string, Array<{ x: number; y: number }>>();
  for (const r of recs) {
    const points = byStage.get(stageOf(r)) ?? [];
    points.push({ x: num(r[xName]) ?? 0, y: num(r.loss) ?? 0 });
    byStage.set(stageOf(r), points);
  }
  const rows = [...byStage].flatMap(([stage, points]) =>
    downsample(points, MAX_POINTS_PER_STAGE).map((p) => ({ stage, [xName]: p.x, loss: p.y })),
  );
  const log = wantsLogScale(
    rows.map((r) => r.loss),
    logScale,
  );
  return {
    title: { text: 'Training loss', subtitle: `per ${xName}, one line per stage${log ? ', log scale' : ''}` },
    width: 560,
    height: 300,
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 1.5, clip: true },
    encoding: {
      x: { field: xName, type: 'quantitative', title: xName },
      y: { field: 'loss', type: 'quantitative', title: 'loss', scale: log ? { type: 'log' } : { zero: false } },
      color: { field: 'stage', type: 'nominal', title: 'stage', sort: [...byStage.keys()] },
    },
  };
}

/**
 * Accuracy against epoch: colour is the stage, dash the metric (train / test / kNN), so every
 * stage + metric pair is its own line. Any numeric `*_accuracy` field of an epoch record counts.
 */
export function accuracyChart(metrics: Rec[]): TopLevelSpec | null {
  const rows: Array<{ stage: string; metric: string; epoch: number; accuracy: number }> = [];
  for (const r of metrics) {
    const epoch = num(r.epoch);
    if (r.kind !== 'epoch' || epoch === null) continue;
    for (const [key, value] of Object.entries(r)) {
      const accuracy = num(value);
      if (!key.endsWith('_accuracy') || accuracy === null) continue;
      rows.push({ stage: stageOf(r), metric: metricLabel(key), epoch, accuracy });
    }
  }
  if (rows.length === 0) return null;
  const fractions = rows.every((r) => r.accuracy >= 0 && r.accuracy <= 1);
  const stages = [...new Set(rows.map((r) => r.stage))];
  const metricNames = [...new Set(rows.map((r) => r.metric))];
  return {
    title: { text: 'Accuracy', subtitle: 'per epoch; colour = stage, dash = metric' },
    width: 560,
    height: 300,
    data: { values: rows },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { format: 'd', tickMinStep: 1 } },
      y: {
        field: 'accuracy',
        type: 'quantitative',
        title: 'accuracy',
        ...(fractions ? { scale: { domain: [0, 1] }, axis: { format: '.0%' } } : {}),
      },
      color: { field: 'stage', type: 'nominal', title: 'stage', sort: stages },
    },
    // Points in their own layer: with `point: true` on the line the dash legend would show plain
    // markers instead of the dash patterns it is there to explain.
    layer: [
      {
        mark: { type: 'line', strokeWidth: 1.8 },
        encoding: {
          strokeDash: {
            field: 'metric',
            type: 'nominal',
            title: 'metric',
            sort: metricNames,
            legend: { symbolStrokeColor: '#444', symbolSize: 400 },
          },
        },
      },
      { mark: { type: 'point', filled: true, size: 30, opacity: 1 }, encoding: { detail: { field: 'metric', type: 'nominal' } } },
    ],
  };
}

function metricLabel(key: string): string {
  const base = key.slice(0, -'_accuracy'.length);
  return base === 'knn' ? 'kNN' : base;
}
