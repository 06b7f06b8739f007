import type { AdminClient, QueryValue } from './admin-client.js';
import { ShapeReader } from './shape.js';

/** A report endpoint's `data` over every page, following `has_more`/`next_page` with `page=`. */
export async function readAllPages(client: AdminClient, path: string, query: Record<string, QueryValue>): Promise<unknown[]> {
  const shape = new ShapeReader(path);
  const items: unknown[] = [];
  let page: string | undefined;
  for (let index = 0; ; index++) {
    const body = shape.object(await client.get(path, { ...query, page }), 'the answer');
    items.push(...shape.array(body.data, `data (page ${index + 1})`));
    if (!shape.boolean(body.has_more, `has_more (page ${index + 1})`)) return items;
    page = shape.string(body.next_page, `next_page (page ${index + 1})`);
  }
}
