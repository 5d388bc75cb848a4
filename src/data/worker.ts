// Loader worker: rebuilds the dataset from its handle once (shared pixels, or file paths it decodes
// itself), then builds the batches it is sent and transfers the tensors back.

import { parentPort, workerData } from 'node:worker_threads';
import { BatchBuilder } from './batch_builder.ts';
import { datasetFromHandle } from './dataset.ts';
import type { BatchTask, WorkerInit, WorkerReply } from './worker_protocol.ts';

const init: WorkerInit = workerData;
const port = parentPort;
if (port === null) throw new Error('worker.ts must run as a worker thread');

const builder = new BatchBuilder(init.spec, init.size, init.channels);
const dataset = init.dataset === undefined ? undefined : datasetFromHandle(init.dataset);

port.on('message', (task: BatchTask) => {
  const source = task.images !== undefined ? { images: task.images, labels: task.labels ?? [] } : dataset;
  const run = source === undefined ? Promise.reject(new Error('task without images and no dataset handle')) : builder.build(source, task.sampleIds, task.epoch);
  run.then(
    (batch) => {
      const reply: WorkerReply = { id: task.id, ok: true, views: batch.views, labels: batch.labels };
      port.postMessage(reply, [...batch.views.map((v) => v.buffer), batch.labels.buffer]);
    },
    (err: unknown) => {
      const reply: WorkerReply = { id: task.id, ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) };
      port.postMessage(reply);
    },
  );
});
