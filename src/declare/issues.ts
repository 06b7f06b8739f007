import type { z } from 'zod';

export type KeyPath = Array<string | number>;

export interface DeclarationIssue {
  path: KeyPath;
  message: string;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `pipeline[1].check.retries`, `usage["claude-opus-4-1"].inputTokens` */
export function formatKeyPath(path: KeyPath): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    if (!IDENTIFIER.test(key)) return `${text}[${JSON.stringify(key)}]`;
    return text ? `${text}.${key}` : key;
  }, '');
}

/** A declaration's issues, one per bad key or value (an unknown-keys issue becomes one per key). */
export function declarationIssues(error: z.ZodError): DeclarationIssue[] {
  return error.issues.flatMap((issue): DeclarationIssue[] => {
    const path = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: [...path, key], message: issue.message }));
    return [{ path, message: issue.message }];
  });
}

/** The first issue as `key.path: message`, for one-line errors about a file; `at`: where the checked value sits in it. */
export function firstIssueText(error: z.ZodError, at: KeyPath = []): string {
  const first = declarationIssues(error)[0];
  if (!first) return 'invalid';
  const path = [...at, ...first.path];
  return path.length > 0 ? `${formatKeyPath(path)}: ${first.message}` : first.message;
}
