// The Web Worker that trains: the page posts one job (web/train/job.ts) and gets events, then the
// model or an error. One worker per job: cancelling terminates it, which frees its WASM heap and GPU
// buffers at once, even in the middle of a step.

import { messageOf } from './train/errors.ts';
import { fineTune } from './train/fine_tune.ts';
import type { FromWorker, ToWorker } from './train/job.ts';
import { ort } from './train/web_session.ts';

ort.env.wasm.wasmPaths = new URL('ort/', location.href).href;

const post = (msg: FromWorker, transfer: Transferable[] = []): void => self.postMessage(msg, { transfer });

self.addEventListener('message', (e: MessageEvent<ToWorker>) => {
  if (e.data.type !== 'train') return;
  fineTune(e.data.job, (event) => post({ type: 'event', event })).then(
    (result) => post({ type: 'done', result }, [result.classifier.buffer as ArrayBuffer, result.embedding.buffer as ArrayBuffer]),
    (err: unknown) => post({ type: 'error', message: messageOf(err) }),
  );
});
