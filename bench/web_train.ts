// npm run bench:web-train [-- --photos 16 --batch 12 --epochs 5]
// Steps/s of the Train view's SupCon fine-tuning and linear-classifier steps, for the same model (the
// test fixtures' small CNN, width 4, 16x16 RGB, 3 classes of generated photos) and the same job:
// in headless Chromium on WASM (threads: the page is cross-origin isolated) and on WebGPU (whatever
// adapter Chromium finds: SwiftShader's software Vulkan where there is no GPU), in Node on
// onnxruntime-web's WASM backend (the page's own trainer, one thread), and in Node on onnxruntime-node's
// CPU EP (StepRunner, lowered graphs, the job's batches). The first step (session warm-up) is not
// counted; building each step's batch is, as in the page. Never part of `npm test`.

import { rm } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { buildStage1, buildStage2Features, type BuiltGraph } from '../graphs/stages.ts';
import { stepModel } from '../graphs/step.ts';
import { Rng } from '../src/data/rng.ts';
import { initialState } from '../src/runtime/init.ts';
import type { HostTensor } from '../src/runtime/session.ts';
import { StepRunner } from '../src/runtime/step_runner.ts';
import { baseModelFromExport } from '../web/train/base_model.ts';
import { ViewBatches, imageSet, linearOrder, supconOrder } from '../web/train/batches.ts';
import { modelConfig } from '../web/train/fine_tune.ts';
import type { StageName } from '../web/train/job.ts';
import type { TrainRecord } from '../web/train_view.ts';
import { tempDir } from '../test/export/fixtures.ts';
import { CHROMIUM_ARGS, Demo, launch, openPage } from '../test/web/harness.ts';
import { exportRunModel, writePhotos } from '../test/web/train_fixtures.ts';
import { fillClasses, lastTraining, train, trainInNode } from '../test/web/train_page.ts';

const opts = new Command('bench:web-train')
  .option('--photos <n>', 'training photos per class', (v) => Number(v), 16)
  .option('--batch <n>', 'batch size of both stages', (v) => Number(v), 12)
  .option('--epochs <n>', 'SupCon fine-tuning epochs', (v) => Number(v), 5)
  .option('--stage2-epochs <n>', 'linear classifier epochs', (v) => Number(v), 30)
  .parse()
  .opts<{ photos: number; batch: number; epochs: number; stage2Epochs: number }>();

interface Row {
  where: string;
  threads: number | string;
  stepsPerSecond: Partial<Record<StageName, number>>;
}

/** Steps/s of `steps` steps of a step graph on onnxruntime-node's CPU EP, the first not counted. */
async function cpuStepsPerSecond(built: BuiltGraph, initial: Map<string, HostTensor>, feeds: string[], batches: (() => Promise<Record<string, HostTensor>>)[]): Promise<number> {
  const runner = await StepRunner.create(stepModel(built.graph, built), initial, { feeds });
  try {
    let start = 0;
    for (const [i, batch] of batches.entries()) {
      await runner.run(await batch(), 0.01, i + 1);
      if (i === 0) start = performance.now();
    }
    return ((batches.length - 1) * 1000) / (performance.now() - start);
  } finally {
    await runner.release();
  }
}

/** The page's job on onnxruntime-node's CPU EP: the same graphs, batches and step counts. */
async function nodeCpu(record: TrainRecord, classifier: Uint8Array, metadata: Parameters<typeof baseModelFromExport>[1]): Promise<Row> {
  const { job } = record;
  const base = baseModelFromExport(classifier, metadata);
  const format = { size: base.inputSize, channels: base.channels, mean: base.mean, std: base.std };
  const labels = Int32Array.from(job.train.labels);
  const numClasses = job.classes.length;
  const supcon = job.supcon!;
  const stage1 = buildStage1(modelConfig(base, 'bench', numClasses, supcon.batchSize, 2));
  const views = new ViewBatches(imageSet({ pixels: Uint8Array.from(job.train.pixels), labels }, format), supcon.augmentation, format, job.seed);
  const supconBatches = Array.from({ length: supcon.epochs }, (_, e) => supconOrder(labels, job.seed, e, supcon.batchSize).map((ids) => () => views.feeds(ids, e))).flat();
  const stage2 = buildStage2Features(modelConfig(base, 'bench', numClasses, job.stage2.batchSize, 1));
  const dim = stage2.graph.inputs.find((v) => v.name === 'features')!.shape[1] as number;
  const rng = new Rng(1); // the features' values do not change the speed
  const linearBatches = Array.from({ length: job.stage2.epochs }, (_, e) => linearOrder(labels, job.seed, e, job.stage2.batchSize).map((ids) => async () => ({
    features: { dtype: 'float32' as const, dims: [ids.length, dim], data: Float32Array.from({ length: ids.length * dim }, () => rng.normal()) },
    labels: { dtype: 'int64' as const, dims: [ids.length], data: BigInt64Array.from(ids, (id) => BigInt(labels[id]!)) },
  }))).flat();
  return {
    where: 'Node, onnxruntime-node CPU EP',
    threads: 'ORT default',
    stepsPerSecond: {
      supcon: await cpuStepsPerSecond(stage1, initialState(stage1.params.list, stage1.optimizerState, job.seed), ['images', 'labels'], supconBatches),
      stage2: await cpuStepsPerSecond(stage2, initialState(stage2.params.list, stage2.optimizerState, job.seed), ['features', 'labels'], linearBatches),
    },
  };
}

const dir = await tempDir('bench-web-train');
const demo = await Demo.build(dir);
try {
  const [base, photos] = await Promise.all([exportRunModel(join(dir, 'base')), writePhotos(join(dir, 'photos'), { train: opts.photos, heldOut: 4 })]);
  const url = `${await demo.serve(join(dir, 'base'))}#train`;
  const job = { batch: opts.batch, supconEpochs: opts.epochs, stage2Epochs: opts.stage2Epochs };
  const rows: Row[] = [];
  let wasmRecord: TrainRecord | undefined;
  for (const backend of ['wasm', 'webgpu'] as const) {
    const browser = await launch(backend === 'wasm' ? CHROMIUM_ARGS : [...CHROMIUM_ARGS.filter((a) => a !== '--disable-gpu'), '--enable-unsafe-webgpu']);
    try {
      const page = await openPage(browser, url);
      await fillClasses(page, photos);
      await train(page, { backend, ...job }, 600_000);
      const record = await lastTraining(page);
      wasmRecord ??= record;
      const label = record.backend === backend ? backend : `${record.backend} (asked for ${backend}: no adapter)`;
      rows.push({ where: `Chromium, onnxruntime-web ${label}`, threads: record.threads, stepsPerSecond: record.stepsPerSecond });
    } finally {
      await browser.close();
    }
  }
  const inNode = await trainInNode(wasmRecord!, base);
  rows.push({ where: 'Node, onnxruntime-web wasm', threads: inNode.threads, stepsPerSecond: inNode.stepsPerSecond });
  rows.push(await nodeCpu(wasmRecord!, base.classifier, base.metadata));

  const steps = (stage: StageName): number => wasmRecord!.losses[stage].length;
  console.log(`small CNN (width 4), 16x16 RGB, 3 classes x ${opts.photos} photos, batch ${opts.batch}: ${steps('supcon')} SupCon steps (2 views), ${steps('stage2')} linear steps`);
  console.log(`CPU: ${cpus()[0]?.model ?? 'unknown'}, ${availableParallelism()} cores`);
  const fmt = (x: number | undefined): string => (x === undefined ? '-' : x.toFixed(x < 10 ? 2 : 0));
  console.table(rows.map((r) => ({ where: r.where, threads: r.threads, 'SupCon steps/s': fmt(r.stepsPerSecond.supcon), 'linear steps/s': fmt(r.stepsPerSecond.stage2) })));
} finally {
  await demo.close();
  await rm(dir, { recursive: true, force: true });
}
