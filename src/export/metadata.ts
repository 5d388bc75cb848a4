// What an exported model says about itself: class names, input geometry, normalisation, model name and
// the training config. It travels twice: as ONNX metadata_props (one JSON string per key, so any ONNX
// tool shows it) and as the `model.json` sidecar (what the browser reads; ORT's JS API does not expose
// metadata_props). Pure TypeScript: the web page imports it too.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export const METADATA_FORMAT = 'supcon-onnx/inference@1';

export interface ModelMetadata {
  format: typeof METADATA_FORMAT;
  /** Human name of the model (e.g. `cifar10-supcon-resnet18`). */
  modelName: string;
  /** Encoder architecture (e.g. `resnet18`, `small_cnn`). */
  encoder: string;
  /** Class names in logit order. */
  classes: string[];
  /** Square input side; the graph input is `image` [batch, channels, inputSize, inputSize]. */
  inputSize: number;
  channels: 1 | 3;
  /** Per-channel normalisation applied inside the graph: (x - mean) / std, x in [0, 1]. */
  mean: number[];
  std: number[];
  /** Length of the embedding model's output. */
  embeddingDim: number;
  /** File names, relative to the sidecar: classifier (`logits`, `probabilities`) and embedding model. */
  files: { classifier: string; embedding: string };
  /** The training configuration, as the trainer recorded it. */
  config: Json;
}

export class MetadataError extends Error {
  override name = 'MetadataError';
}

/** metadata_props keys, one JSON value each. */
const KEYS = {
  format: 'format',
  modelName: 'model_name',
  encoder: 'encoder',
  classes: 'classes',
  inputSize: 'input_size',
  channels: 'channels',
  mean: 'mean',
  std: 'std',
  embeddingDim: 'embedding_dim',
  files: 'files',
  config: 'config',
} as const satisfies Record<keyof ModelMetadata, string>;

export function toMetadataProps(meta: ModelMetadata): Record<string, string> {
  const props: Record<string, string> = {};
  for (const [field, key] of Object.entries(KEYS)) props[key] = JSON.stringify(meta[field as keyof ModelMetadata]);
  return props;
}

function parseJson(text: string, key: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new MetadataError(`metadata ${key} is not JSON: ${text.slice(0, 80)}`);
  }
}

const isNumberArray = (v: unknown, n: number): v is number[] =>
  Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/** Checks a parsed object field by field; every error names the field. */
export function validateMetadata(raw: unknown): ModelMetadata {
  if (typeof raw !== 'object' || raw === null) throw new MetadataError('metadata must be an object');
  const r = raw as Record<string, unknown>;
  const fail = (field: string, want: string): never => {
    throw new MetadataError(`metadata ${field} must be ${want}, got ${JSON.stringify(r[field])?.slice(0, 80)}`);
  };
  if (r['format'] !== METADATA_FORMAT) fail('format', JSON.stringify(METADATA_FORMAT));
  const str = (f: string): string => (typeof r[f] === 'string' ? (r[f] as string) : fail(f, 'a string'));
  const int = (f: string): number => (Number.isInteger(r[f]) && (r[f] as number) > 0 ? (r[f] as number) : fail(f, 'a positive integer'));
  const classes = r['classes'];
  if (!Array.isArray(classes) || classes.length === 0 || !classes.every((c) => typeof c === 'string')) fail('classes', 'a non-empty string array');
  const channels = r['channels'];
  if (channels !== 1 && channels !== 3) fail('channels', '1 or 3');
  const c = channels as 1 | 3;
  if (!isNumberArray(r['mean'], c)) fail('mean', `${c} numbers`);
  if (!isNumberArray(r['std'], c) || (r['std'] as number[]).some((s) => s <= 0)) fail('std', `${c} positive numbers`);
  const files = r['files'] as Record<string, unknown> | undefined;
  if (typeof files?.['classifier'] !== 'string' || typeof files['embedding'] !== 'string') fail('files', '{ classifier, embedding } file names');
  return {
    format: METADATA_FORMAT,
    modelName: str('modelName'),
    encoder: str('encoder'),
    classes: classes as string[],
    inputSize: int('inputSize'),
    channels: c,
    mean: r['mean'] as number[],
    std: r['std'] as number[],
    embeddingDim: int('embeddingDim'),
    files: { classifier: files!['classifier'] as string, embedding: files!['embedding'] as string },
    config: (r['config'] ?? null) as Json,
  };
}

/** The `model.json` sidecar's text. */
export function sidecarJson(metadata: ModelMetadata): string {
  return `${JSON.stringify(metadata, null, 2)}\n`;
}

/** The inverse of `toMetadataProps`; missing keys and malformed values throw MetadataError. */
export function fromMetadataProps(props: Readonly<Record<string, string>>): ModelMetadata {
  const raw: Record<string, unknown> = {};
  for (const [field, key] of Object.entries(KEYS)) {
    const text = props[key];
    if (text === undefined) throw new MetadataError(`model has no metadata_props entry "${key}" (not exported by supcon-onnx?)`);
    raw[field] = parseJson(text, key);
  }
  return validateMetadata(raw);
}
