import path from 'node:path';
import { redactSecrets } from '../errors/redact.js';
import { discoverApiKeyId } from '../billing/admin-api/discover-key.js';
import { checkBilling, noneBilledToApiKey, notBilledCheck, tasksToCheck, type BillingCheck } from '../billing/reconcile/check.js';
import { AdminClient } from '../billing/admin-api/client.js';
import { fetchCostReport } from '../billing/admin-api/cost-report.js';
import { checkDocument, skippedDocument, type ReconcileDocument } from '../report/reconcile/document.js';
import { reconcileMarkdown } from '../report/reconcile/markdown.js';
import { formatReconcile } from '../report/reconcile/text.js';
import { recordCheck } from '../billing/record.js';
import { ADMIN_KEY_ENV, resolveBillingSettings } from '../billing/settings.js';
import { configPathFor, loadConfig } from '../config/load.js';
import { asUserError } from '../errors/fs-error.js';
import { EXIT, UserError } from '../errors/user-error.js';
import { loadStates } from '../state/load-states.js';
import { type ProjectFiles, writeOutputFile } from '../state/write-output.js';

export interface ReconcileOptions {
  config?: string;
  json: boolean;
  wait: boolean;
  /** With --wait: give up waiting after this many minutes. */
  timeoutMinutes?: number;
  report?: string;
}

const EXIT_FOR = { verified: EXIT.ok, skipped: EXIT.ok, 'not-billed': EXIT.ok, mismatch: EXIT.failed, pending: EXIT.tryLater } as const;

/**
 * `reconcile`: the recorded usage against what the Admin API says was billed to the runs' API
 * key in the runs' minutes; the verdict is written into the state files (under their locks).
 */
export async function reconcileCommand(target: string | undefined, options: ReconcileOptions): Promise<number> {
  const env = process.env;
  const config = await loadConfig(configPathFor(options.config, process.cwd()), env);
  const settings = resolveBillingSettings(config, env);
  let asked = await loadStates(config, target);
  if (noneBilledToApiKey(asked, Date.now())) {
    // Claude Code said no call was billed to an API key: there is no bill to read.
    const check = notBilledCheck(asked, Date.now());
    await recordCheck(check, config.statePath, 0);
    return finish(checkDocument(check, asked.sequence?.tasksDir, 0, undefined), options, config);
  }
  if (!settings) {
    return finish(
      skippedDocument(
        `${ADMIN_KEY_ENV} is not set (an Admin API key, sk-ant-admin…, is needed to read what was billed); no file was changed.`,
        new Date(),
      ),
      options,
      config,
    );
  }
  if (tasksToCheck(asked, Date.now()) === 0) {
    return finish(
      skippedDocument('no task has run yet: there is nothing to check against the bill; no file was changed.', new Date()),
      options,
      config,
    );
  }
  const client = new AdminClient({
    baseUrl: settings.baseUrl,
    adminKey: settings.adminKey,
    requestTimeoutMs: settings.requestTimeoutSeconds * 1000,
    onWait: (line) => process.stderr.write(`reconcile: ${line}\n`),
  });
  const apiKeyId = settings.apiKeyId ?? (await discoverApiKeyId(client, env.ANTHROPIC_API_KEY?.trim(), config.file));
  const giveUpAt = options.timeoutMinutes === undefined ? Infinity : Date.now() + options.timeoutMinutes * 60_000;
  let check: BillingCheck;
  for (;;) {
    const known = target === undefined ? asked : await loadStates(config, undefined);
    check = await checkBilling(client, apiKeyId, asked, known, { now: Date.now(), settleMinutes: settings.settleMinutes });
    await recordCheck(check, config.statePath, client.reads);
    if (check.overall.status !== 'pending' || !options.wait || Date.now() + settings.pollSeconds * 1000 > giveUpAt) break;
    process.stderr.write(`reconcile: pending (billed data not complete yet); checking again in ${settings.pollSeconds}s\n`);
    await new Promise((resolve) => setTimeout(resolve, settings.pollSeconds * 1000));
    asked = await loadStates(config, target);
  }
  const cost = await fetchCostReport(client, check.overall.window);
  const tasksDir = asked.sequence?.tasksDir;
  return finish(checkDocument(check, tasksDir, client.reads, cost), options, config);
}

async function finish(doc: ReconcileDocument, options: ReconcileOptions, project: ProjectFiles): Promise<number> {
  if (options.report !== undefined) {
    const file = path.resolve(options.report);
    const markdown = reconcileMarkdown(doc);
    try {
      await writeOutputFile(file, redactSecrets(markdown), project);
    } catch (error) {
      const explained = asUserError(error, { what: 'cannot write the report', path: options.report });
      throw explained instanceof UserError
        ? explained
        : new UserError(`${options.report}: cannot write the report: ${(error as Error).message}`);
    }
  }
  process.stdout.write(options.json ? `${JSON.stringify(doc, null, 2)}\n` : formatReconcile(doc));
  return EXIT_FOR[doc.status];
}
