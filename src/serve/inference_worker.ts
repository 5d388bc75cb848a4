// One inference worker thread: its own ORT sessions (classifier + embedding), decoding with sharp, and
// one batched session run per message, so inference never blocks the server's event loop.

import { parentPort, workerData } from 'node:worker_threads';
import { DecodeError } from '../data/errors.ts';
import { messageOf } from '../runtime/ep_error.ts';
import { defaultMaxPixels, ModelRunner } from './model_runner.ts';
import type { FromWorker, Task, TaskResult, ToWorker, WorkerInit } from './worker_protocol.ts';

const port = parentPort;
if (!port) throw new Error('inference_worker.ts must run in a worker thread');
const post = (msg: FromWorker): void => port.postMessage(msg);

/** A decoding failure as a task result: over the pixel limit, not an image, or a bug. */
function decodeFailure(id: number, err: unknown, maxPixels: number): TaskResult {
  if (!(err instanceof DecodeError)) return { id, ok: false, code: 'internal', message: messageOf(err) };
  // libvips checks the limit from the header: "Input image exceeds pixel limit".
  if (/pixel limit/i.test(err.reason)) return { id, ok: false, code: 'too_many_pixels', message: `the image has more than ${maxPixels} pixels (width x height), this server's limit` };
  return { id, ok: false, code: 'bad_image', message: err.reason };
}

async function runBatch(runner: ModelRunner, tasks: readonly Task[], maxPixels: number): Promise<TaskResult[]> {
  const results = new Map<number, TaskResult>();
  const images = await Promise.all(
    tasks.map(async (t) => {
      try {
        return await runner.preprocess(t.bytes, maxPixels);
      } catch (err) {
        results.set(t.id, decodeFailure(t.id, err, maxPixels));
        return undefined;
      }
    }),
  );
  const decoded = tasks.flatMap((t, i) => (images[i] ? [{ task: t, image: images[i] }] : []));
  for (const kind of ['predict', 'embed'] as const) {
    const group = decoded.filter((d) => d.task.kind === kind);
    if (group.length === 0) continue;
    try {
      if (kind === 'predict') {
        const k = Math.max(...group.map((g) => g.task.topK));
        const preds = await runner.classify(group.map((g) => g.image), k);
        group.forEach((g, i) => results.set(g.task.id, { id: g.task.id, ok: true, kind, predictions: (preds[i] ?? []).slice(0, g.task.topK) }));
      } else {
        const embs = await runner.embed(group.map((g) => g.image));
        group.forEach((g, i) => results.set(g.task.id, { id: g.task.id, ok: true, kind, embedding: Array.from(embs[i] ?? []) }));
      }
    } catch (err) {
      for (const g of group) results.set(g.task.id, { id: g.task.id, ok: false, code: 'internal', message: messageOf(err) });
    }
  }
  return tasks.map((t) => results.get(t.id) ?? { id: t.id, ok: false, code: 'internal', message: 'no result' });
}

const init = workerData as WorkerInit;
let runner: ModelRunner;
try {
  runner = await ModelRunner.load(init.modelPath, { threads: init.threads, ep: init.ep });
  // A session's first run allocates and plans; pay it here, so that "ready" means a fast first answer.
  const blank = new Float32Array(runner.imageLength);
  await runner.classify([blank], 1);
  await runner.embed([blank]);
  post({ type: 'ready', metadata: runner.metadata });
} catch (err) {
  post({ type: 'init_error', message: messageOf(err) });
  process.exit(1);
}
const maxPixels = init.maxPixels ?? defaultMaxPixels(runner.metadata.inputSize);

port.on('message', (msg: ToWorker) => {
  void runBatch(runner, msg.tasks, maxPixels).then((results) => post({ type: 'results', results }));
});
