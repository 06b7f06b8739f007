const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or attribute value, safe inside HTML and SVG. */
export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** ` data-a="1" data-b="x"` from `{a: 1, b: 'x'}`; undefined values are left out. */
export function dataAttributes(data: Record<string, string | number | undefined>): string {
  return Object.entries(data)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ` data-${key}="${escapeHtml(value!)}"`)
    .join('');
}
