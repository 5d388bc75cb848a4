// npm run config-reference: rewrites the README's configuration reference from the flag table.
import { readFileSync, writeFileSync } from 'node:fs';
import { withReference } from '../src/config/reference.ts';

writeFileSync('README.md', withReference(readFileSync('README.md', 'utf8')));
