// Shapes with optional symbolic dimensions ('batch'), and the broadcasting rule of ONNX (numpy's).

export type Dim = number | string;
export type Shape = readonly Dim[];

export class ShapeError extends Error {
  override name = 'ShapeError';
}

export function isStatic(shape: Shape): shape is readonly number[] {
  return shape.every((d) => typeof d === 'number');
}

export function staticShape(shape: Shape, what: string): number[] {
  if (!isStatic(shape)) throw new ShapeError(`${what}: needs a static shape, got [${shape.join(', ')}]`);
  return [...shape];
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Numpy broadcasting of several shapes; symbolic dims broadcast only against 1 or themselves. */
export function broadcastShapes(...shapes: Shape[]): Dim[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let dim: Dim = 1;
    for (const s of shapes) {
      const d = s[s.length - rank + i] ?? 1;
      if (d === 1 || d === dim) continue;
      if (dim === 1) dim = d;
      else throw new ShapeError(`cannot broadcast ${shapes.map(formatShape).join(' with ')}`);
    }
    out.push(dim);
  }
  return out;
}

/** Normalises a possibly negative axis against `rank`. */
export function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new ShapeError(`axis ${axis} out of range for rank ${rank}`);
  return a;
}
