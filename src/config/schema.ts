/** A small declarative schema for claude-project.yaml, checked by validate.ts. */
export type Rule =
  | { kind: 'string'; pattern?: RegExp; patternHint?: string }
  | { kind: 'number'; min: number; integer?: boolean; positive?: boolean }
  | { kind: 'boolean' }
  | { kind: 'stringArray' }
  | { kind: 'object'; fields: Record<string, Field> }
  | { kind: 'array'; items: Rule; minItems: number };

export interface Field {
  rule: Rule;
  required?: boolean;
}

const string: Rule = { kind: 'string' };
const seconds: Rule = { kind: 'number', min: 1 };
const usd: Rule = { kind: 'number', min: 0, positive: true };

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
    budgetUsd: { rule: usd },
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
    budget: {
      rule: { kind: 'object', fields: { sequenceUsd: { rule: usd }, taskUsd: { rule: usd }, stepUsd: { rule: usd } } },
    },
    pipeline: { rule: { kind: 'array', items: stepRule, minItems: 1 }, required: true },
  },
};
