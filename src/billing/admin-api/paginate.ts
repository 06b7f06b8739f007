import type { AdminClient, QueryValue } from './client.js';
import { AdminApiPagingError } from './errors.js';
import { ShapeReader } from './shape.js';

/** However large the range, no list is read past this many pages. */
export const MAX_PAGES = 1000;

/** The pages a range of `buckets` buckets can fill: one bucket a page at worst, plus one to end on. */
export function pageBound(buckets: number): number {
  return Math.min(Math.max(Math.ceil(buckets), 0) + 1, MAX_PAGES);
}

/**
 * Remembers a list's cursors and stops it (AdminApiPagingError, naming the endpoint) at a cursor
 * seen before or past `maxPages`, so no answer can keep `reconcile` reading for ever.
 */
export class PageGuard {
  private readonly seen = new Set<string>();
  private pages = 0;

  constructor(
    private readonly path: string,
    private readonly maxPages: number,
  ) {}

  /** Called after each page read with the cursor that asks for the next one. */
  next(cursor: string): void {
    this.pages++;
    if (this.seen.has(cursor))
      throw new AdminApiPagingError(
        this.path,
        `page ${this.pages} gave the same cursor as an earlier page (${JSON.stringify(cursor.slice(0, 60))})`,
      );
    if (this.pages >= this.maxPages)
      throw new AdminApiPagingError(this.path, `still more after ${this.pages} pages, more than the range asked for can fill`);
    this.seen.add(cursor);
  }
}

/**
 * A report endpoint's `data` over every page, following `has_more`/`next_page` with `page=`, at
 * most `maxPages` pages and never the same cursor twice.
 */
export async function readAllPages(
  client: AdminClient,
  path: string,
  query: Record<string, QueryValue>,
  maxPages: number,
): Promise<unknown[]> {
  const shape = new ShapeReader(path);
  const guard = new PageGuard(path, maxPages);
  const items: unknown[] = [];
  let page: string | undefined;
  for (let index = 0; ; index++) {
    const body = shape.object(await client.get(path, { ...query, page }), 'the answer');
    items.push(...shape.array(body.data, `data (page ${index + 1})`));
    if (!shape.boolean(body.has_more, `has_more (page ${index + 1})`)) return items;
    page = shape.string(body.next_page, `next_page (page ${index + 1})`);
    guard.next(page);
  }
}
