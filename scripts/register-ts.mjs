// Lets `node --import ./scripts/register-ts.mjs file.ts` run TypeScript (hooks in ts-hooks.mjs).
// Stack traces point into the .ts sources through the inline source maps.
import { register } from 'node:module';

process.setSourceMapsEnabled(true);
register('./ts-hooks.mjs', import.meta.url);
