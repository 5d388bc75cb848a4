// Runs an async function over items with bounded concurrency, results in input order.

export async function mapPool<T, R>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const runners: Promise<void>[] = [];
  const width = Math.max(1, Math.min(concurrency, items.length));
  for (let r = 0; r < width; r++) {
    runners.push(
      (async () => {
        while (next < items.length) {
          const i = next++;
          results[i] = await fn(items[i] as T, i);
        }
      })(),
    );
  }
  await Promise.all(runners);
  return results;
}
