import { test } from 'node:test';
import assert from 'node:assert/strict';
import { METADATA_FORMAT, type ModelMetadata } from '../../src/export/metadata.ts';
import { publicInfo, withoutLocalPaths } from '../../src/serve/info.ts';

test('/info keeps what clients need and drops every local path of the training config', () => {
  const meta: ModelMetadata = {
    format: METADATA_FORMAT,
    modelName: 'flowers',
    encoder: 'resnet18',
    classes: ['daisy', 'rose'],
    inputSize: 32,
    channels: 3,
    mean: [0.5, 0.5, 0.5],
    std: [0.25, 0.25, 0.25],
    embeddingDim: 512,
    files: { classifier: 'model.onnx', embedding: 'model.embed.onnx' },
    config: {
      name: 'flowers',
      dataset: '/home/someone/photos/flowers',
      encoderWeights: 'artifacts/runs/flowers-s1/stage1.safetensors',
      method: 'supcon',
      windows: 'C:\\Users\\x\\data',
      home: '~/data',
      model: { encoder: 'resnet18', width: 64, dataRoots: ['fashion-mnist', 'idx:/data/mnist'] },
      stage1: { epochs: 100, lr: 0.1 },
    },
  };
  const info = publicInfo(meta, { maxBytes: 10, maxPixels: 20, maxQueue: 30 });
  assert.deepEqual(info['config'], { name: 'flowers', method: 'supcon', model: { encoder: 'resnet18', width: 64, dataRoots: ['fashion-mnist'] }, stage1: { epochs: 100, lr: 0.1 } });
  assert.deepEqual(info['classes'], ['daisy', 'rose']);
  assert.deepEqual(info['limits'], { maxBytes: 10, maxPixels: 20, maxQueue: 30 });
  assert.equal('files' in info, false);
  assert.doesNotMatch(JSON.stringify(info), /home|artifacts|Users|~/);
  assert.equal(withoutLocalPaths(null), null);
  assert.equal(withoutLocalPaths('/etc'), undefined);
});
