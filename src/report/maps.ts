// Confusion-matrix heatmap and 2-D embedding maps.

import type { TopLevelSpec } from 'vega-lite';
import { pca } from './pca.ts';
import { gatherRows, stratifiedSample } from './subsample.ts';
import { tsne } from './tsne.ts';
import type { EmbeddingSet } from './types.ts';

/** Heatmap with the count in every cell; rows are the true class, columns the predicted one. */
export function confusionChart(confusion: { classes: string[]; matrix: number[][] }): TopLevelSpec {
  const { classes, matrix } = confusion;
  if (matrix.length !== classes.length || matrix.some((row) => row.length !== classes.length)) {
    throw new RangeError(`confusion matrix must be ${classes.length} x ${classes.length}`);
  }
  const cells = classes.flatMap((truth, t) => classes.map((predicted, p) => ({ truth, predicted, count: matrix[t]?.[p] ?? 0 })));
  const total = cells.reduce((s, c) => s + c.count, 0);
  const correct = classes.reduce((s, _, i) => s + (matrix[i]?.[i] ?? 0), 0);
  const maxCount = Math.max(1, ...cells.map((c) => c.count));
  // Cells shrink as classes grow; past ~30 classes the numbers would not fit, so only colour remains.
  const cell = Math.max(12, Math.min(44, Math.floor(480 / classes.length)));
  const showCounts = classes.length <= 30;
  const side = cell * classes.length;
  const accuracy = total > 0 ? ` accuracy ${(correct / total).toFixed(4)},` : '';
  return {
    title: { text: 'Confusion matrix', subtitle: `rows: true class, columns: predicted;${accuracy} n = ${total}` },
    width: side,
    height: side,
    data: { values: cells },
    encoding: {
      x: {
        field: 'predicted',
        type: 'nominal',
        sort: classes,
        title: 'predicted class',
        axis: { labelAngle: -45, orient: 'top' },
      },
      y: { field: 'truth', type: 'nominal', sort: classes, title: 'true class' },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 0.5 },
        encoding: {
          color: { field: 'count', type: 'quantitative', title: 'count', scale: { scheme: 'blues', domain: [0, maxCount] } },
        },
      },
      ...(showCounts
        ? [
            {
              mark: { type: 'text' as const, fontSize: Math.max(8, Math.min(12, cell / 3)) },
              encoding: {
                text: { field: 'count', type: 'quantitative' as const },
                // Dark cells get white text so every count stays legible.
                color: { condition: { test: `datum.count > ${maxCount / 2}`, value: 'white' }, value: '#222' },
              },
            },
          ]
        : []),
    ],
  };
}

export interface MapOptions {
  method: 'pca' | 'tsne';
  maxPoints: number;
  seed: number;
}

/** Subsamples (stratified), projects to 2-D and plots the points coloured by class. */
export function embeddingChart(set: EmbeddingSet, opts: MapOptions): TopLevelSpec {
  const n = set.labels.length;
  if (set.vectors.length !== n * set.dim) {
    throw new RangeError(`embedding '${set.name}': ${set.vectors.length} values is not ${n} x ${set.dim}`);
  }
  // Same labels + seed give the same indices, so the encoder and projection maps show the same points.
  const indices = stratifiedSample(set.labels, opts.maxPoints, opts.seed);
  const m = indices.length;
  const vectors = gatherRows(set.vectors, set.dim, indices);
  let coords: Float32Array;
  let axes: [string, string];
  let how: string;
  if (opts.method === 'tsne' && m >= 4) {
    coords = tsne(vectors, m, set.dim, { seed: opts.seed });
    axes = ['t-SNE 1', 't-SNE 2'];
    how = 't-SNE';
  } else {
    const result = pca(vectors, m, set.dim, { k: 2 });
    coords = result.components.length === 2 ? result.coords : padTo2(result.coords, m);
    const pct = (i: number): string => {
      if (result.totalVariance <= 0) return '';
      return ` (${((100 * (result.variances[i] ?? 0)) / result.totalVariance).toFixed(1)}% of variance)`;
    };
    axes = [`PC1${pct(0)}`, `PC2${pct(1)}`];
    how = 'PCA';
  }
  const points = indices.map((_, i) => ({
    x: coords[2 * i] ?? 0,
    y: coords[2 * i + 1] ?? 0,
    class: set.classes[set.labels[indices[i] ?? 0] ?? 0] ?? 'unknown',
  }));
  const k = set.classes.length;
  return {
    title: { text: `${set.name} embeddings`, subtitle: `${how} of ${m} of ${n} points (dim ${set.dim}), coloured by class` },
    width: 380,
    height: 380,
    data: { values: points },
    mark: { type: 'circle', size: 16, opacity: 0.75 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: axes[0], scale: { zero: false } },
      y: { field: 'y', type: 'quantitative', title: axes[1], scale: { zero: false } },
      // The class list fixes the colour of each class across every map in the report.
      color: {
        field: 'class',
        type: 'nominal',
        title: 'class',
        scale: { domain: set.classes, scheme: k <= 10 ? 'category10' : 'category20' },
      },
    },
  };
}

/** One-dimensional data gives a single component; plot it against zero. */
function padTo2(coords: Float32Array, m: number): Float32Array {
  const out = new Float32Array(2 * m);
  for (let i = 0; i < m; i++) out[2 * i] = coords[i] ?? 0;
  return out;
}
