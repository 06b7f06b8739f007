import type { Rule } from './schema.js';

export type KeyPath = Array<string | number>;

export interface SchemaIssue {
  path: KeyPath;
  message: string;
}

/** `pipeline[1].check.retries` */
export function formatKeyPath(path: KeyPath): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${key}` : key), '');
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Every way `value` breaks `rule`, each with the key path where it happens. */
export function validate(value: unknown, rule: Rule, path: KeyPath = []): SchemaIssue[] {
  const issue = (message: string): SchemaIssue[] => [{ path, message }];
  switch (rule.kind) {
    case 'string':
      if (typeof value !== 'string' || value.trim() === '') return issue(`expected a non-empty string, got ${describe(value)}`);
      if (rule.pattern && !rule.pattern.test(value)) return issue(`${JSON.stringify(value)} is not valid: use ${rule.patternHint}`);
      return [];
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return issue(`expected a number, got ${describe(value)}`);
      if (rule.integer && !Number.isInteger(value)) return issue(`expected a whole number, got ${value}`);
      if (rule.positive && value <= 0) return issue(`expected a positive number, got ${value}`);
      if (value < rule.min) return issue(`expected a number ≥ ${rule.min}, got ${value}`);
      return [];
    case 'boolean':
      return typeof value === 'boolean' ? [] : issue(`expected true or false, got ${describe(value)}`);
    case 'stringArray':
      if (!Array.isArray(value)) return issue(`expected a list of strings, got ${describe(value)}`);
      return value.flatMap((item, index) =>
        typeof item === 'string' ? [] : [{ path: [...path, index], message: `expected a string, got ${describe(item)}` }],
      );
    case 'array':
      if (!Array.isArray(value)) return issue(`expected a list, got ${describe(value)}`);
      if (value.length < rule.minItems) return issue(`expected at least ${rule.minItems} item(s), got none`);
      return value.flatMap((item, index) => validate(item, rule.items, [...path, index]));
    case 'object':
      return validateObject(value, rule.fields, path);
  }
}

function validateObject(value: unknown, fields: Extract<Rule, { kind: 'object' }>['fields'], path: KeyPath): SchemaIssue[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ path, message: `expected a mapping, got ${describe(value)}` }];
  }
  const record = value as Record<string, unknown>;
  const known = Object.keys(fields);
  const issues: SchemaIssue[] = [];
  for (const key of Object.keys(record)) {
    if (!(key in fields)) issues.push({ path: [...path, key], message: `unknown key; valid keys here: ${known.join(', ')}` });
  }
  for (const [key, field] of Object.entries(fields)) {
    if (record[key] === undefined || record[key] === null) {
      if (field.required) issues.push({ path: [...path, key], message: 'is required' });
      continue;
    }
    issues.push(...validate(record[key], field.rule, [...path, key]));
  }
  return issues;
}
