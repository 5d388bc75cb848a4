// Softmax cross-entropy with integer labels, and accuracy as a metric. The one-hot matrix is built in
// the graph by comparing labels with a constant range (no OneHot op, which has no gradient to speak of).

import * as b from '../../src/onnx/index.ts';
import type { Value } from '../../src/onnx/index.ts';
import { staticDim } from './masks.ts';

export interface CrossEntropy {
  /** mean_i -log softmax(logits_i)[y_i], scalar. */
  loss: Value;
  /** Fraction of rows whose arg-max (first on ties) equals the label, scalar. */
  accuracy: Value;
}

/** logits [N, K], labels int64 [N]. */
export function crossEntropy(logits: Value, labels: Value): CrossEntropy {
  const g = logits.graph;
  const k = staticDim(logits, 1, 'crossEntropy');
  const classes = g.constant(b.fromNumbers('int64', Array.from({ length: k }, (_, i) => i)), 'int64', [1, k]);
  const oneHot = b.cast(b.equal(b.unsqueeze(labels, [1]), classes), logits.dtype); // [N, K]
  const picked = b.reduceSum(b.mul(oneHot, b.logSoftmax(logits, 1)), [1]); // [N]
  const loss = b.neg(b.reduceMean(picked, []));
  const accuracy = b.reduceMean(b.cast(b.equal(b.argMax(logits, 1), labels), logits.dtype), []);
  return { loss, accuracy };
}
