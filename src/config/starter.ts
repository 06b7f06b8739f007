/** What `claude-project init` writes: a starter config, commented key by key, and one example task. */

export const STARTER_TASK_FILE = 'tasks/example.md';

export const STARTER_CONFIG = `# claude-project configuration. Every key is described in the README ("Configuration").
# Run a task with: claude-project run ${STARTER_TASK_FILE}
# Run every task in tasks/ in name order with: claude-project sequence tasks

# Model for the steps that name none.
model: claude-sonnet-4-5

claude:
  # The Claude Code executable (on PATH, or a path). The environment variable
  # CLAUDE_PROJECT_CLAUDE_BIN overrides it.
  command: claude
  # Added to every claude call. Grant the tools the steps need here.
  args: ["--allowedTools", "Bash,Read,Edit,Write"]

# Where the state files and the step logs go (relative to this file's folder).
statePath: .claude-project/state
logsPath: .claude-project/logs

# Stop a claude call that runs longer than this (it counts as a failed attempt).
timeoutSeconds: 1800

rateLimit:
  wait: true            # on a usage limit, wait for the reset and re-run the step
  maxWaitMinutes: 360   # never wait longer than this for one reset (else exit 3)
  marginSeconds: 60     # added to the reset time
  minWaitSeconds: 60    # a reset already past (clock skew, a stale event) still waits this long
  maxReruns: 5          # re-runs in a row after such limits; one more: exit 3

# The steps run for every task, in order. Placeholders: {{taskPath}}, {{taskName}},
# {{taskContent}} and {{stepName}}. A prompt without {{taskContent}} is followed by the task's text.
pipeline:
  - name: plan
    prompt: |
      Read the task in {{taskPath}} and write a short plan for it to PLAN.md.
    check:
      command: test -s PLAN.md   # run in a shell in this folder; exit 0 = pass
      retries: 1                 # re-run the step once if the check fails
  - name: implement
    prompt: |
      Carry out the plan in PLAN.md for the task in {{taskPath}}.
`;

export const STARTER_TASK = `# Example task

Replace this text with what you want done: one task per file in tasks/, in plain words.
For example: add a README section that explains how to run the tests.
`;
