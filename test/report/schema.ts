import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { REPO } from '../integration/helpers.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function loadSchema(name: 'status' | 'run-summary'): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(REPO, 'schema', `${name}.schema.json`), 'utf8')) as Record<string, unknown>;
}

/** A validator for schema/<name>.schema.json (strict: unknown keywords in the schema are errors). */
export function validator(name: 'status' | 'run-summary'): (value: unknown) => string[] {
  const ajv = new Ajv2020({ strict: true, allErrors: true, strictTypes: false });
  ajv.addFormat('date-time', ISO);
  const validate = ajv.compile(loadSchema(name));
  return (value) => (validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`));
}
