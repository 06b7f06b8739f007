import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { SCHEMA_FILES, jsonSchemaOf } from '../../src/schemas.js';
import { REPO } from '../integration/helpers.js';

describe('schema/*.json come from the declarations the code uses', () => {
  it.each(Object.keys(SCHEMA_FILES))('schema/%s is what its declaration gives (run `npm run schemas` after changing one)', (name) => {
    const shipped = JSON.parse(readFileSync(path.join(REPO, 'schema', name), 'utf8'));
    expect(shipped).toEqual(jsonSchemaOf(SCHEMA_FILES[name]!));
  });

  it.each(Object.keys(SCHEMA_FILES))('schema/%s is a valid JSON Schema (draft 2020-12)', (name) => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    expect(() => ajv.compile(jsonSchemaOf(SCHEMA_FILES[name]!))).not.toThrow();
  });
});
