/** Why an export failed, in a few words for the warning line: the collector's HTTP status, or the network error. */
export function describeExportError(error: Error | undefined): string {
  if (!error) return 'the collector did not accept the metrics';
  const code = (error as { code?: unknown }).code;
  const message = error.message.trim();
  if (typeof code === 'number') return `the collector answered HTTP ${code}${message ? ` ${message}` : ''}`;
  return message || (typeof code === 'string' ? code : 'unknown error');
}
