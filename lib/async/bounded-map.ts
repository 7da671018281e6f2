/**
 * `task` over each item with at most `limit` tasks running at once: item i
 * starts when item i - limit has settled. The promises come back in the
 * items' order and start at once for the first `limit` items. Tasks of the
 * same size keep every slot busy; a failed task frees its slot like a
 * finished one.
 *
 * Why: a release compresses each bundle's archives on libuv's thread pool
 * while it validates; started all at once, 250 bundles per thread held a
 * tar and a level-9 deflate state each, twice the peak memory of the run.
 */
export function boundedMap<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R>[] {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`boundedMap: limit must be a positive integer, got ${limit}`);
  const out: Promise<R>[] = [];
  for (const [i, item] of items.entries()) {
    const slot = i < limit ? Promise.resolve() : out[i - limit].then(
      () => undefined,
      () => undefined,
    );
    out.push(slot.then(() => task(item)));
  }
  return out;
}
