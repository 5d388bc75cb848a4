// The worker's side of a cell process (cell_process.ts): a child that runs one cell at a time and, after
// a cell that finished, the next one, as the local `experiment` runs all its runs in one process. Its
// output is forwarded line by line under the id of the cell it runs.

import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CellMessage, CellTask } from './cells.ts';
import type { CellProgress } from './progress.ts';

const CELL_SCRIPT = fileURLToPath(new URL('./cell_process.ts', import.meta.url));

/** How a cell ended in its process: an outcome the process sent, or how the process died. */
export type CellEnd = Exclude<CellMessage, { kind: 'progress' }> | { kind: 'died'; how: string };

export class CellProcessHandle {
  private readonly child: ChildProcess;
  private readonly exited: Promise<string>;
  private prefix: string;
  /** The process's last lines, for the message of a cell whose process died. */
  private readonly lastLines: string[] = [];
  private onMessage: ((m: CellMessage) => void) | undefined;

  constructor(private readonly log: (line: string) => void) {
    // The worker's own execArgv (the TypeScript loader) and working directory carry over.
    this.child = fork(CELL_SCRIPT, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    this.prefix = `cell process ${this.child.pid ?? '?'} | `;
    this.exited = new Promise((resolve) => {
      this.child.once('error', (err) => resolve(`could not be started: ${err.message}`));
      this.child.once('exit', (code, signal) => resolve(signal ? `was killed by ${signal}${signal === 'SIGKILL' ? ' (out of memory?)' : ''}` : `exited with code ${code}`));
    });
    this.child.on('message', (m: CellMessage) => this.onMessage?.(m));
    this.forward(this.child.stdout!);
    this.forward(this.child.stderr!);
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Runs `task`; progress goes to `onProgress` while it trains. */
  async run(task: CellTask, id: string, onProgress: (p: CellProgress) => void): Promise<CellEnd> {
    this.prefix = `${id} | `;
    this.lastLines.length = 0;
    const ended = new Promise<CellEnd>((resolve) => {
      this.onMessage = (m) => (m.kind === 'progress' ? onProgress(m.progress) : resolve(m));
      void this.exited.then((how) => resolve({ kind: 'died', how: `${how}${this.lastLines.length > 0 ? `; its last output: ${this.lastLines.join(' / ')}` : ''}` }));
    });
    // A process that died meanwhile cannot take it: its exit ends the cell.
    if (this.alive) this.child.send(task, (err) => void err);
    try {
      return await ended;
    } finally {
      this.onMessage = undefined;
      this.prefix = `cell process ${this.child.pid ?? '?'} | `;
    }
  }

  kill(signal: NodeJS.Signals): void {
    if (this.alive) this.child.kill(signal);
  }

  private forward(stream: NodeJS.ReadableStream): void {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (pending + chunk).split(/\r?\n|\r/);
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        this.log(`${this.prefix}${line}`);
        this.lastLines.push(line);
        if (this.lastLines.length > 5) this.lastLines.shift();
      }
    });
  }
}
