/** A list written into a JSON file item by item, never held whole. */
export class StreamedList {
  constructor(readonly items: AsyncIterable<unknown>) {}
}

const indent = (text: string, depth: number) => text.replaceAll('\n', `\n${'  '.repeat(depth)}`);

/**
 * The text `JSON.stringify(object, null, 2)` gives, and a newline, in pieces. A StreamedList field
 * is written one item at a time; a function field is called only once every field before it is
 * written, so it can return what the lists before it added up.
 */
export async function* prettyJsonChunks(object: Record<string, unknown>): AsyncGenerator<string> {
  let first = true;
  for (const [key, field] of Object.entries(object)) {
    const value: unknown = typeof field === 'function' ? field() : field;
    if (value === undefined) continue;
    yield `${first ? '{\n' : ',\n'}  ${JSON.stringify(key)}: `;
    first = false;
    if (value instanceof StreamedList) yield* listChunks(value.items);
    else yield indent(JSON.stringify(value, null, 2), 1);
  }
  yield first ? '{}\n' : '\n}\n';
}

async function* listChunks(items: AsyncIterable<unknown>): AsyncGenerator<string> {
  let count = 0;
  for await (const item of items) {
    yield `${count === 0 ? '[\n' : ',\n'}    ${indent(JSON.stringify(item ?? null, null, 2), 2)}`;
    count++;
  }
  yield count === 0 ? '[]' : '\n  ]';
}
