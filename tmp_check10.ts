import { defaultModelConfig } from './graphs/config.ts';
import { buildBaseline, buildStage1 } from './graphs/stages.ts';
import { initialState } from './src/runtime/init.ts';
import { loadEncoder } from './src/train/encoder_file.ts';
import { PLAIN_SGD, checkStepGradient } from './test/graphs/step_gradients.ts';
import { int64, patternImages } from './test/graphs/train_helpers.ts';
for (const [f, m] of [['resnet18', 'ce'], ['torchvision_resnet18.onnx', 'supcon'], ['torchvision_resnet18.onnx', 'ce'], ['torchvision_mobilenet_v3_small.onnx', 'ce']] as const) {
const cfg = defaultModelConfig({ encoder: f === 'resnet18' ? 'resnet18' : `onnx:/work/shared/models/${f}`, stem: 'imagenet', inputSize: 64, inputChannels: 3, numClasses: 10, featDim: 16, batchSize: 4, optimizer: PLAIN_SGD });
loadEncoder(cfg);
const built = m === 'ce' ? buildBaseline(cfg) : buildStage1(cfg);
const labels = [0, 1, 0, 1];
const views = (m === 'ce' ? [1] : [1, 2]).map((seed) => patternImages(labels, 3, 64, seed).data as Float32Array);
const images = { dtype: 'float32' as const, dims: [4 * views.length, 3, 64, 64], data: Float32Array.from(views.flatMap((v) => [...v])) };
const st = initialState(built.params.list, built.optimizerState, 1);
for (const seed of [7, 8, 9]) {
  const row = [];
  for (const eps of [1e-3, 1e-4]) {
    const c = await checkStepGradient(built, { images, labels: int64(labels) }, st, eps, seed);
    row.push(c.analytic.toExponential(2) + ':' + c.relError.toExponential(1));
  }
  console.log(f, m, seed, row.join(' '));
}
}
