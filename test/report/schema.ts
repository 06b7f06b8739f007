import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { REPO } from '../integration/helpers.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function loadSchema(name: 'status' | 'run-summary' | 'reconcile' | 'prices'): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(REPO, 'schema', `${name}.schema.json`), 'utf8')) as Record<string, unknown>;
}

/** A validator for schema/<name>.schema.json (strict: unknown keywords in the schema are errors). */
export function validator(name: 'status' | 'run-summary' | 'reconcile' | 'prices'): (value: unknown) => string[] {
  const ajv = new Ajv2020({ strict: true, allErrors: true, strictTypes: false });
  ajv.addFormat('date-time', ISO);
  const validate = ajv.compile(loadSchema(name));
  return (value) =>
    validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/**
 * Every object schema in `schema` that is left open: one without `additionalProperties: false`,
 * or whose `required` is not exactly its `properties` (the output's fields are always present).
 * Empty for a schema where any added, removed or renamed field fails validation.
 */
export function openObjects(schema: unknown, at = '#'): string[] {
  if (Array.isArray(schema)) return schema.flatMap((item, i) => openObjects(item, `${at}/${i}`));
  if (typeof schema !== 'object' || schema === null) return [];
  const node = schema as Record<string, unknown>;
  const problems: string[] = [];
  if (node.properties !== undefined || node.type === 'object') {
    const keys = Object.keys((node.properties ?? {}) as object).sort();
    const required = [...((node.required ?? []) as string[])].sort();
    if (node.additionalProperties !== false) problems.push(`${at}: additionalProperties is not false`);
    if (JSON.stringify(keys) !== JSON.stringify(required))
      problems.push(`${at}: required ${JSON.stringify(required)} ≠ properties ${JSON.stringify(keys)}`);
  }
  for (const [key, value] of Object.entries(node)) {
    // Inside `properties` the keys are field names, not keywords: descend into each field's schema.
    problems.push(...openObjects(value, `${at}/${key}`));
  }
  return problems;
}
