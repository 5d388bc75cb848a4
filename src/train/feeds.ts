// Loader batches as step-graph feeds: `images` [V * N, C, S, S] (views stacked view-major, the layout the
// SupCon graph expects; V = 1 for stage 2 and the baseline) and `labels` int64 [N].

import type { DataLoader, Dataset } from '../data/index.ts';
import type { StageLoopSpec } from './loop.ts';

export function loaderBatches(loader: DataLoader, dataset: Dataset): StageLoopSpec['batches'] {
  return async function* (epoch, startBatch) {
    for await (const batch of loader.epoch(epoch, { startBatch })) {
      const n = batch.labels.length;
      const views = batch.views.length;
      let images = batch.views[0]!;
      if (views > 1) {
        images = new Float32Array(images.length * views);
        batch.views.forEach((v, i) => images.set(v, i * v.length));
      }
      yield {
        feeds: {
          images: { dtype: 'float32', dims: [views * n, dataset.channels, dataset.size, dataset.size], data: images },
          labels: { dtype: 'int64', dims: [n], data: batch.labels },
        },
        images: n,
      };
    }
  };
}
