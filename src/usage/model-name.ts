/**
 * One name per model, whatever spelling a source uses: Claude Code's `modelUsage` keys, the
 * Admin API's `model`, price tables and the config may say `claude-sonnet-4-5`,
 * `claude-sonnet-4-5-20250929`, `claude-sonnet-4-5[1m]`, `claude-sonnet-4-5@20250929` or
 * `us.anthropic.claude-sonnet-4-5-20250929-v1:0` for the same model.
 */
export function canonicalModel(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/\[[^\]]*\]$/, '')
    .replace(/^(?:[a-z]{2,4}\.)?anthropic[./]/, '')
    .replace(/-v\d+(?::\d+)?$/, '')
    .replace(/@\d{8}$/, '')
    .replace(/-\d{8}$/, '')
    .replace(/-latest$/, '');
}
