/** A small declarative schema for claude-project.yaml, checked by validate.ts. */
export type Rule =
  | { kind: 'string'; pattern?: RegExp; patternHint?: string }
  | { kind: 'number'; min: number; max?: number; maxHint?: string; integer?: boolean }
  | { kind: 'boolean' }
  | { kind: 'stringArray' }
  | { kind: 'object'; fields: Record<string, Field> }
  | { kind: 'array'; items: Rule; minItems: number };

export interface Field {
  rule: Rule;
  required?: boolean;
}

const string: Rule = { kind: 'string' };
/** Node's timers hold at most 2^31-1 ms; a longer timeout would fire at once. */
const MAX_TIMEOUT_SECONDS = 2_147_483;
const seconds: Rule = { kind: 'number', min: 1, max: MAX_TIMEOUT_SECONDS, maxHint: 'about 24.8 days' };

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
    pipeline: { rule: { kind: 'array', items: stepRule, minItems: 1 }, required: true },
  },
};
