// Geometry shared by the pooling and convolution gradients (2-D, NCHW, pads [top, left, bottom, right]).

/**
 * ConvTranspose output_padding that maps an output of spatial size `out` back to exactly `input`:
 * input + pad_begin + pad_end - (stride * (out - 1) + dilation * (k - 1) + 1), per axis, always < stride.
 */
export function transposeOutputPadding(
  input: readonly number[], out: readonly number[], kernel: readonly number[],
  strides: readonly number[], pads: readonly number[], dilations: readonly number[],
): number[] {
  return [0, 1].map((i) =>
    input[i]! + pads[i]! + pads[i + 2]! - (strides[i]! * (out[i]! - 1) + dilations[i]! * (kernel[i]! - 1) + 1));
}

/** Elements of each pooling window that lie inside the unpadded input, row-major [Ho, Wo]. */
export function windowCounts(
  input: readonly number[], out: readonly number[], kernel: readonly number[],
  strides: readonly number[], pads: readonly number[],
): number[] {
  const along = (i: number): number[] => Array.from({ length: out[i]! }, (_, q) => {
    const start = q * strides[i]! - pads[i]!;
    return Math.min(start + kernel[i]!, input[i]!) - Math.max(start, 0);
  });
  const rows = along(0);
  const cols = along(1);
  return rows.flatMap((r) => cols.map((c) => r * c));
}
