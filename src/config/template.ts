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
 * text follows after a blank line so Claude always sees the task (DESIGN §2).
 */
export function renderPrompt(template: string, values: TemplateValues): string {
  const filled = fillTemplate(template, values);
  if (usesPlaceholder(template, 'taskContent')) return filled;
  return `${filled.trimEnd()}\n\n${values.taskContent}`;
}
