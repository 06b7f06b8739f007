export const PLACEHOLDERS = ['taskPath', 'taskName', 'taskContent', 'stepName'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type TemplateValues = Record<Placeholder, string>;

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Placeholder names in the template that we do not know. */
export function unknownPlaceholders(template: string): string[] {
  const names = [...template.matchAll(PLACEHOLDER)].map((match) => match[1] ?? '');
  return names.filter((name) => !(PLACEHOLDERS as readonly string[]).includes(name));
}

function usesPlaceholder(template: string, name: Placeholder): boolean {
  return [...template.matchAll(PLACEHOLDER)].some((match) => match[1] === name);
}

/** The template with every placeholder replaced by its value, verbatim. */
export function fillTemplate(template: string, values: TemplateValues): string {
  return template.replace(PLACEHOLDER, (_, name: string) => values[name as Placeholder] ?? '');
}

/**
 * The step's prompt: the template filled in; when it does not use {{taskContent}}, the task's
 * text follows after a blank line so Claude always sees the task.
 */
export function renderPrompt(template: string, values: TemplateValues): string {
  const filled = fillTemplate(template, values);
  if (usesPlaceholder(template, 'taskContent')) return filled;
  return `${filled.trimEnd()}\n\n${values.taskContent}`;
}

/** The environment variables that carry the placeholders' values to a step's check and its claude calls. */
export const CHECK_ENV: Record<Exclude<Placeholder, 'taskContent'>, string> = {
  taskPath: 'CLAUDE_PROJECT_TASK_PATH',
  taskName: 'CLAUDE_PROJECT_TASK_NAME',
  stepName: 'CLAUDE_PROJECT_STEP_NAME',
};

/** The check's environment: the placeholders' values, as data. */
export function checkEnvironment(values: TemplateValues): Record<string, string> {
  return Object.fromEntries(Object.entries(CHECK_ENV).map(([name, variable]) => [variable, values[name as keyof typeof CHECK_ENV]]));
}

/**
 * A check command with each placeholder replaced by a reference to its environment variable,
 * quoted for where it stands: `"${VAR}"` outside quotes, `${VAR}` inside double quotes,
 * `'"${VAR}"'` inside single quotes. The shell then expands the value as one word and never
 * reads it as shell syntax, whatever a file name holds (`$(…)`, spaces, quotes).
 */
export function checkCommandWithVariables(template: string): string {
  let out = '';
  let quote: '' | "'" | '"' = '';
  let at = 0;
  while (at < template.length) {
    const match = /^\{\{\s*([^{}]*?)\s*\}\}/.exec(template.slice(at, at + 64));
    const variable = match ? CHECK_ENV[match[1] as keyof typeof CHECK_ENV] : undefined;
    if (match && variable) {
      const ref = `\${${variable}}`;
      out += quote === '"' ? ref : quote === "'" ? `'"${ref}"'` : `"${ref}"`;
      at += match[0].length;
      continue;
    }
    const char = template[at]!;
    if (char === '\\' && quote !== "'") {
      out += template.slice(at, at + 2);
      at += 2;
      continue;
    }
    if (quote === '' && (char === "'" || char === '"')) quote = char;
    else if (char === quote) quote = '';
    out += char;
    at++;
  }
  return out;
}
