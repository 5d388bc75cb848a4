// Import errors name the model file, then the node and its op, then what is wrong.

import { GraphError } from '../graph.ts';
import { ShapeError } from '../shape.ts';

export class ImportError extends Error {
  override name = 'ImportError';

  /** Runs `fn`; a builder or import error it throws comes back as an ImportError prefixed with `where: `. */
  static wrap<T>(where: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof ImportError || err instanceof ShapeError || err instanceof GraphError) throw new ImportError(`${where}: ${err.message}`);
      throw err;
    }
  }
}
