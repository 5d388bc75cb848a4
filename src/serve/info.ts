// What GET /info tells the world about the served model: everything a client needs (classes, input
// geometry, normalisation, embedding size) and the training config without anything that names a
// place on the server's disk (dataset folders, weight files, run folders).

import type { Json, ModelMetadata } from '../export/metadata.ts';

/** A string that could be a local path: it has a separator or starts like one (`~`, `C:`). */
const looksLikePath = (s: string): boolean => /[/\\]/.test(s) || /^(~|[a-z]:)/i.test(s);

/** `value` with every path-like string removed (object keys dropped, array items left out). */
export function withoutLocalPaths(value: Json): Json | undefined {
  if (typeof value === 'string') return looksLikePath(value) ? undefined : value;
  if (Array.isArray(value)) return value.flatMap((v) => { const kept = withoutLocalPaths(v); return kept === undefined ? [] : [kept]; });
  if (value === null || typeof value !== 'object') return value;
  const out: { [key: string]: Json } = {};
  for (const [k, v] of Object.entries(value)) {
    const kept = withoutLocalPaths(v);
    if (kept !== undefined) out[k] = kept;
  }
  return out;
}

export function publicInfo(meta: ModelMetadata, limits: Readonly<Record<string, number>>): Record<string, Json> {
  const { modelName, encoder, classes, inputSize, channels, mean, std, embeddingDim, config } = meta;
  return { modelName, encoder, classes, inputSize, channels, mean, std, embeddingDim, config: withoutLocalPaths(config) ?? null, limits: { ...limits } };
}
