// Lets `node --import ./scripts/register-ts.mjs file.ts` run TypeScript through ts-node's ESM loader
// (transpile-only; `npm run typecheck` does the type checking once for the whole project).
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';

register('ts-node/esm', pathToFileURL('./'));
