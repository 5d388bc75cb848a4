// The Train view's live chart on a canvas: loss per step of each stage (each to its own scale, since
// SupCon's loss and cross-entropy differ in size; the legend gives first and last values) and held-out
// accuracy per epoch (right axis, 0-1), over one x axis of steps.

export interface Series {
  label: string;
  color: string;
  /** [x (global step), y] */
  points: [number, number][];
  /** 'accuracy' series share the 0-1 axis; each 'loss' series is scaled to its own maximum. */
  kind: 'loss' | 'accuracy';
}

const PAD = { left: 12, right: 40, top: 24, bottom: 22 };

export function drawChart(canvas: HTMLCanvasElement, series: readonly Series[], totalSteps: number): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { width: w, height: h } = canvas;
  ctx.clearRect(0, 0, w, h);
  const plotW = w - PAD.left - PAD.right;
  const plotH = h - PAD.top - PAD.bottom;
  const xMax = Math.max(1, totalSteps, ...series.flatMap((s) => s.points.map((p) => p[0])));
  const x = (v: number): number => PAD.left + (v / xMax) * plotW;
  ctx.font = '11px system-ui, sans-serif';
  ctx.strokeStyle = '#ccc';
  ctx.fillStyle = '#666';
  ctx.strokeRect(PAD.left, PAD.top, plotW, plotH);
  // Right axis: accuracy. Losses have no axis: each is drawn to its own maximum, its range in the legend.
  for (const f of [0, 0.5, 1]) ctx.fillText(f.toFixed(1), w - PAD.right + 4, PAD.top + (1 - f) * plotH + 4);
  ctx.fillText('step 0', PAD.left, h - 6);
  ctx.fillText(String(xMax), PAD.left + plotW - ctx.measureText(String(xMax)).width, h - 6);
  let legendX = PAD.left;
  for (const s of series) {
    if (s.points.length === 0) continue;
    const yMax = s.kind === 'accuracy' ? 1 : Math.max(...s.points.map((p) => p[1])) || 1;
    const y = (v: number): number => PAD.top + (1 - v / yMax) * plotH;
    ctx.strokeStyle = s.color;
    ctx.fillStyle = s.color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    s.points.forEach(([px, py], i) => (i === 0 ? ctx.moveTo(x(px), y(py)) : ctx.lineTo(x(px), y(py))));
    ctx.stroke();
    if (s.kind === 'accuracy') for (const [px, py] of s.points) ctx.fillRect(x(px) - 2, y(py) - 2, 4, 4);
    const digits = s.kind === 'accuracy' ? 2 : 3;
    const [first, last] = [s.points[0]![1], s.points[s.points.length - 1]![1]];
    const text = `${s.label} ${s.points.length > 1 ? `${first.toFixed(digits)} \u2192 ` : ''}${last.toFixed(digits)}`;
    ctx.fillText(text, legendX, PAD.top - 8);
    legendX += ctx.measureText(text).width + 18;
  }
  ctx.lineWidth = 1;
}
