// One inference worker thread: its own ORT sessions (classifier + embedding), decoding with sharp, and
// one batched session run per message, so inference never blocks the server's event loop.

import { parentPort, workerData } from 'node:worker_threads';
import { DecodeError } from '../data/errors.ts';
import { ModelRunner } from './model_runner.ts';
import type { FromWorker, Task, TaskResult, ToWorker, WorkerInit } from './worker_protocol.ts';

const port = parentPort;
if (!port) throw new Error('inference_worker.ts must run in a worker thread');
const post = (msg: FromWorker): void => port.postMessage(msg);

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

async function runBatch(runner: ModelRunner, tasks: readonly Task[]): Promise<TaskResult[]> {
  const results = new Map<number, TaskResult>();
  const images = await Promise.all(
    tasks.map(async (t) => {
      try {
        return await runner.preprocess(t.bytes);
      } catch (err) {
        results.set(t.id, { id: t.id, ok: false, code: err instanceof DecodeError ? 'bad_image' : 'internal', message: err instanceof DecodeError ? err.reason : message(err) });
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
      for (const g of group) results.set(g.task.id, { id: g.task.id, ok: false, code: 'internal', message: message(err) });
    }
  }
  return tasks.map((t) => results.get(t.id) ?? { id: t.id, ok: false, code: 'internal', message: 'no result' });
}

const init = workerData as WorkerInit;
let runner: ModelRunner;
try {
  runner = await ModelRunner.load(init.modelPath, { threads: init.threads, ep: init.ep });
  post({ type: 'ready', metadata: runner.metadata });
} catch (err) {
  post({ type: 'init_error', message: message(err) });
  process.exit(1);
}

port.on('message', (msg: ToWorker) => {
  void runBatch(runner, msg.tasks).then((results) => post({ type: 'results', results }));
});
