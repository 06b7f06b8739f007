// Writes schema/*.json from the declarations in src (run through `npm run schemas`, after a build).
import { writeFile } from 'node:fs/promises';
import { SCHEMA_FILES, jsonSchemaOf } from '../dist/schemas.js';

for (const [name, file] of Object.entries(SCHEMA_FILES)) {
  await writeFile(new URL(`../schema/${name}`, import.meta.url), `${JSON.stringify(jsonSchemaOf(file), null, 2)}\n`);
  console.log(`schema/${name}`);
}
