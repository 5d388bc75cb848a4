// Progress display: a cli-progress bar on a terminal (loss, lr, images/s, ETA); on a pipe or in CI,
// where a redrawn bar is noise, one plain line per `lineEvery` steps and at the end.

import cliProgress from 'cli-progress';

export interface ProgressValues {
  loss: number;
  lr: number;
  imagesPerSecond: number;
}

export interface Progress {
  update(step: number, values: ProgressValues): void;
  stop(): void;
}

export function createProgress(title: string, total: number, startAt = 0, lineEvery = 50): Progress {
  const fmt = (v: ProgressValues): Record<string, string> => ({
    loss: v.loss.toFixed(4),
    lr: v.lr.toExponential(2),
    ips: v.imagesPerSecond.toFixed(0),
  });
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${title} |{bar}| {value}/{total} loss {loss} lr {lr} {ips} img/s ETA {eta_formatted}`,
        stream: process.stderr,
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, startAt, { loss: '-', lr: '-', ips: '-' });
    return { update: (step, v) => bar.update(step, fmt(v)), stop: () => bar.stop() };
  }
  const started = Date.now();
  let last: ProgressValues | undefined;
  let lastStep = startAt;
  const line = (step: number, v: ProgressValues): void => {
    const f = fmt(v);
    const elapsed = (Date.now() - started) / 1000;
    const eta = step > startAt ? (elapsed / (step - startAt)) * (total - step) : 0;
    process.stderr.write(`${title} ${step}/${total} loss ${f.loss} lr ${f.lr} ${f.ips} img/s ETA ${eta.toFixed(0)}s\n`);
  };
  return {
    update: (step, v) => {
      last = v;
      lastStep = step;
      if (step % lineEvery === 0) line(step, v);
    },
    stop: () => {
      if (last && lastStep % lineEvery !== 0) line(lastStep, last);
    },
  };
}
