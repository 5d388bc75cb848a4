// Synthetic report inputs: a two-stage run's metrics, a confusion matrix and clustered embeddings.

import { Rng } from '../../src/data/rng.ts';
import type { EmbeddingSet, ReportInput } from '../../src/report/index.ts';

export const CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer'];

/** `perClass` points per class around well-separated random centres in `dim` dimensions. */
export function clusteredEmbedding(name: string, dim: number, perClass: number, spread: number, seed: number): EmbeddingSet {
  const rng = new Rng(seed);
  const k = CLASSES.length;
  const centres = Array.from({ length: k }, () => Array.from({ length: dim }, () => 4 * rng.normal()));
  const vectors = new Float32Array(k * perClass * dim);
  const labels = new Int32Array(k * perClass);
  for (let i = 0; i < k * perClass; i++) {
    const c = i % k;
    labels[i] = c;
    for (let j = 0; j < dim; j++) vectors[i * dim + j] = (centres[c]?.[j] ?? 0) + spread * rng.normal();
  }
  return { name, dim, vectors, labels, classes: CLASSES };
}

export function syntheticInput(): ReportInput {
  const rng = new Rng(7);
  const metrics: ReportInput['metrics'] = [];
  // Stage 1 loss falls from ~5 to ~0.02 (over two decades, so the loss axis goes log).
  for (let step = 0; step < 400; step++) {
    const loss = 5 * Math.exp(-step / 72) * (1 + 0.15 * rng.normal() ** 2);
    metrics.push({ kind: 'step', stage: 'stage1', step, epoch: Math.floor(step / 40), loss, lr: 0.05, images_per_s: 900 });
  }
  for (let step = 0; step < 200; step++) {
    const loss = 1.6 * Math.exp(-step / 60) + 0.3;
    metrics.push({ kind: 'step', stage: 'stage2', step, epoch: Math.floor(step / 40), loss, lr: 0.1, images_per_s: 2500 });
  }
  for (let epoch = 0; epoch < 10; epoch++) {
    metrics.push({ kind: 'epoch', stage: 'stage1', epoch, loss: 5 * Math.exp(-epoch / 1.8), knn_accuracy: 0.4 + 0.05 * epoch });
  }
  for (let epoch = 0; epoch < 5; epoch++) {
    const accuracies = { train_accuracy: 0.7 + 0.05 * epoch, test_accuracy: 0.65 + 0.04 * epoch };
    metrics.push({ kind: 'epoch', stage: 'stage2', epoch, loss: 0.5, ...accuracies });
  }
  const matrix = CLASSES.map((_, t) => CLASSES.map((__, p) => (t === p ? 80 + 3 * t : (t * 7 + p * 3) % 9)));
  return {
    title: 'SupCon on synthetic data',
    config: { model: 'resnet18', batchSize: 256, temperature: 0.1, stages: { stage1: { epochs: 10 }, stage2: { epochs: 5 } } },
    metrics,
    confusion: { classes: CLASSES, matrix },
    embeddings: [clusteredEmbedding('encoder', 32, 60, 1.5, 1), clusteredEmbedding('projection', 16, 60, 0.8, 2)],
    results: [
      { method: 'SupCon', epochs: 10, test_accuracy: 0.8123, knn_accuracy: 0.79 },
      { method: 'cross-entropy', epochs: 10, test_accuracy: 0.7911, knn_accuracy: 0.74 },
    ],
  };
}
