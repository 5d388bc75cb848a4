// Where src/data keeps derived files: <project>/artifacts/cache/ (git-ignored), resolved from this
// module rather than the working directory.
import { fileURLToPath } from 'node:url';

export const DEFAULT_CACHE_DIR = fileURLToPath(new URL('../../artifacts/cache/', import.meta.url));
