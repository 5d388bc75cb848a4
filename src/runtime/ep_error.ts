// An execution provider that cannot run here (binaries missing, no adapter, an op it lacks): the message
// says what is missing and how to get it, and the CLI prints it as one line, without a stack trace.

import type { ExecutionProvider } from './providers.ts';

export class ExecutionProviderError extends Error {
  constructor(readonly ep: ExecutionProvider, message: string) {
    super(message);
    this.name = 'ExecutionProviderError';
  }
}

/** The message of anything thrown, ORT's native errors included. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
