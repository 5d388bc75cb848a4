// Models no one here wrote: torchvision's ResNet-18 and MobileNetV3-Small as torch.onnx exported them
// (../shared/models, opset 17, BatchNorm folded into Conv; export_torchvision.py says how). Imported,
// our eval graph gives the logits PyTorch computed (reference_outputs.json) within 1e-4, and one
// training step of each runs with a gradient that passes a directional check against the step's own
// forward: SupCon and cross-entropy for ResNet-18; cross-entropy for MobileNetV3, whose random weights
// make its features all but independent of the image (their spread shrinks ~1e-7 over its blocks), so
// that SupCon, which only sees how the features of different images differ, has no gradient to check.
// A clone without the shared models skips these; test/graphs/onnx_encoder.test.ts and
// test/onnx/import/ need no shared files.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { defaultModelConfig } from '../../graphs/config.ts';
import type { OnnxEncoderName } from '../../graphs/encoders/index.ts';
import { buildBaseline, buildEmbed, buildStage1 } from '../../graphs/stages.ts';
import * as b from '../../src/onnx/index.ts';
import { initialState } from '../../src/runtime/init.ts';
import { createCpuSession, runHost } from '../../src/runtime/session.ts';
import { loadEncoder } from '../../src/train/encoder_file.ts';
import { PLAIN_SGD, checkStepGradient } from './step_gradients.ts';
import { int64, patternImages } from './train_helpers.ts';

const MODELS = fileURLToPath(new URL('../../../shared/models/', import.meta.url));
const SKIP = existsSync(join(MODELS, 'reference_outputs.json')) ? false : `${MODELS} is absent (a clone without the shared models): the torchvision import tests are skipped`;

interface Reference {
  logits: number[][];
  logits_shape: number[];
}

describe('torchvision models exported by torch.onnx', { skip: SKIP }, () => {
  const references = SKIP ? {} : (JSON.parse(readFileSync(join(MODELS, 'reference_outputs.json'), 'utf8')) as Record<string, Reference>);
  const checks = [['torchvision_resnet18.onnx', ['supcon', 'ce']], ['torchvision_mobilenet_v3_small.onnx', ['ce']]] as const;
  for (const [file, methods] of checks) {
    const encoder: OnnxEncoderName = `onnx:${join(MODELS, file)}`;

    test(`${file}: imported into our eval graph, the logits PyTorch computed within 1e-4`, async (t) => {
      const reference = references[file]!;
      const cfg = defaultModelConfig({ encoder, featureOutput: 'logits', head: 'none', inputSize: 64, inputChannels: 3 });
      loadEncoder(cfg);
      const embed = buildEmbed(cfg);
      const session = await createCpuSession(b.serialize(embed.graph, { outputs: embed.outputs }), { threads: 2 });
      // x[i] = sin(0.001 i) over the flat NCHW index, [2, 3, 64, 64], as export_torchvision.py feeds it.
      const images = Float32Array.from({ length: 2 * 3 * 64 * 64 }, (_, i) => Math.sin(0.001 * i));
      const weights = Object.fromEntries(initialState(embed.params.list, [], 0)); // the imported values
      const out = await runHost(session, { ...weights, images: { dtype: 'float32', dims: [2, 3, 64, 64], data: images } });
      await session.release();
      const got = out.embedding!;
      assert.deepEqual(got.dims, reference.logits_shape);
      const diff = reference.logits.flat().reduce((m, v, i) => Math.max(m, Math.abs(v - Number(got.data[i]))), 0);
      t.diagnostic(`max |logit - PyTorch's| = ${diff.toExponential(2)} (the reference is rounded to 1e-6)`);
      assert.ok(diff < 1e-4, `${diff}`);
    });

    for (const method of methods) {
      test(`${file}: one ${method === 'ce' ? 'cross-entropy' : 'SupCon'} step at 64x64 runs, its gradient passes a directional check`, async (t) => {
        const cfg = defaultModelConfig({ encoder, inputSize: 64, inputChannels: 3, numClasses: 10, featDim: 16, batchSize: 4, optimizer: PLAIN_SGD });
        loadEncoder(cfg);
        const labels = [0, 1, 0, 1];
        const views = (method === 'ce' ? [1] : [1, 2]).map((seed) => patternImages(labels, 3, 64, seed).data as Float32Array);
        const images = { dtype: 'float32' as const, dims: [4 * views.length, 3, 64, 64], data: Float32Array.from(views.flatMap((v) => [...v])) };
        const built = method === 'ce' ? buildBaseline(cfg) : buildStage1(cfg);
        const check = await checkStepGradient(built, { images, labels: int64(labels) }, initialState(built.params.list, built.optimizerState, 1));
        t.diagnostic(`loss ${check.loss.toFixed(4)}: <t, g> ${check.analytic.toExponential(4)} vs central difference ${check.numeric.toExponential(4)} (eps ${check.eps.toExponential(1)}), relative error ${check.relError.toExponential(1)}`);
        assert.ok(Number.isFinite(check.loss));
        assert.ok(Math.abs(check.analytic) > 1e-3, 'a gradient to check');
        assert.ok(check.relError < 1e-2, `${check.relError}`);
      });
    }
  }
});
