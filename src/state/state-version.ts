import { z } from 'zod';
import { describeValue } from '../declare/rules.js';

/** The `version` of a state file this claude-project reads; a later one was written by a newer claude-project. */
export const stateVersion = () =>
  z.literal(1, {
    error: (issue) =>
      typeof issue.input === 'number' && Number.isInteger(issue.input) && issue.input > 1
        ? `version ${issue.input} is written by a newer claude-project, and this one reads version 1: upgrade claude-project to read it`
        : `expected version 1, got ${describeValue(issue.input)}`,
  });
