/** A small declarative schema for claude-project.yaml, checked by validate.ts. */
export type Rule =
  | { kind: 'string'; pattern?: RegExp; patternHint?: string }
  | { kind: 'number'; min: number; integer?: boolean }
  | { kind: 'boolean' }
  | { kind: 'stringArray' }
  | { kind: 'object'; fields: Record<string, Field> }
  /** A mapping whose keys are the user's own (model prefixes, say), each value following `values`. */
  | { kind: 'map'; values: Rule }
  | { kind: 'array'; items: Rule; minItems: number };

export interface Field {
  rule: Rule;
  required?: boolean;
}

const string: Rule = { kind: 'string' };
const seconds: Rule = { kind: 'number', min: 1 };

export const STEP_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

const stepRule: Rule = {
  kind: 'object',
  fields: {
    name: {
      rule: { kind: 'string', pattern: STEP_NAME_PATTERN, patternHint: 'letters, digits, "-" and "_"' },
      required: true,
    },
    model: { rule: string },
    prompt: { rule: string, required: true },
    check: {
      rule: {
        kind: 'object',
        fields: {
          command: { rule: string, required: true },
          retries: { rule: { kind: 'number', min: 0, integer: true } },
        },
      },
    },
    timeoutSeconds: { rule: seconds },
  },
};

const usdPerMillion: Rule = { kind: 'number', min: 0 };

const priceRule: Rule = {
  kind: 'object',
  fields: {
    input: { rule: usdPerMillion, required: true },
    output: { rule: usdPerMillion, required: true },
    cacheWrite5m: { rule: usdPerMillion },
    cacheWrite1h: { rule: usdPerMillion },
    cacheRead: { rule: usdPerMillion },
  },
};

export const CONFIG_SCHEMA: Rule = {
  kind: 'object',
  fields: {
    model: { rule: string },
    claude: {
      rule: { kind: 'object', fields: { command: { rule: string }, args: { rule: { kind: 'stringArray' } } } },
    },
    statePath: { rule: string },
    logsPath: { rule: string },
    timeoutSeconds: { rule: seconds },
    rateLimit: {
      rule: {
        kind: 'object',
        fields: {
          wait: { rule: { kind: 'boolean' } },
          maxWaitMinutes: { rule: { kind: 'number', min: 0 } },
          marginSeconds: { rule: { kind: 'number', min: 0 } },
        },
      },
    },
    pricing: { rule: { kind: 'map', values: priceRule } },
    pipeline: { rule: { kind: 'array', items: stepRule, minItems: 1 }, required: true },
  },
};
