import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { parseAllDocuments, parse } from 'yaml';
import type { Shard } from '../../src/pipeline/shard.js';
import { buildProgram } from '../../src/program.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (file: string): string => readFileSync(path.join(REPO, file), 'utf8');

/**
 * The `claude-project …` command lines of a shell script, as argv. A CI expression
 * (`${{ matrix.shard }}`, `$((SHARD_INDEX + 1))`) becomes `1`, what it is on the first shard.
 */
function commandLines(script: string): string[][] {
  return script
    .replace(/\$\{\{[^}]*\}\}/g, '1')
    .replace(/\$\(\([^)]*\)\)/g, '1')
    .split(/\n|&&/)
    .map((line) => line.trim().split(/\s+/))
    .filter((argv) => argv[0] === 'claude-project')
    .map((argv) => argv.slice(1));
}

/** The CLI's own commands and options, as `claude-project` declares them (nothing is run). */
const program = buildProgram(() => undefined);

/** Parses argv with the CLI's real command and its options; returns the --shard count, if any. */
function checkCommandLine(argv: string[]): number | undefined {
  const [name, ...rest] = argv;
  const command = program.commands.find((c: Command) => c.name() === name);
  expect(command).toBeDefined();
  const { operands, unknown } = command!.parseOptions(rest);
  expect(unknown).toEqual([]);
  const values = command!.opts<{ shard?: Shard; into?: string }>();
  for (const option of command!.options) {
    if (option.mandatory) expect(values[option.attributeName() as 'into']).toBeDefined();
  }
  const required = command!.registeredArguments.filter((a) => a.required).length;
  expect(operands.length).toBeGreaterThanOrEqual(required);
  if (!command!.registeredArguments.some((a) => a.variadic))
    expect(operands.length).toBeLessThanOrEqual(command!.registeredArguments.length);
  const shard = values.shard;
  // each line is parsed on its own: forget what this one set
  for (const option of command!.options) command!.setOptionValue(option.attributeName(), undefined);
  if (shard === undefined) return undefined;
  expect(name).toBe('sequence');
  return shard.count;
}

interface Step {
  run?: string;
}
interface Workflow {
  jobs: Record<string, { strategy?: { matrix?: { shard?: number[] } }; steps: Step[] }>;
}

describe('examples/github-actions/claude-project.yml', () => {
  const workflow = parse(read('examples/github-actions/claude-project.yml')) as Workflow;
  const scripts = Object.values(workflow.jobs).flatMap((job) => job.steps.map((step) => step.run ?? ''));
  const lines = scripts.flatMap(commandLines);

  it('has a shard job per matrix entry, 1..N, and --shard says the same N', () => {
    const shards = workflow.jobs.shard!.strategy!.matrix!.shard!;
    expect(shards).toEqual(Array.from({ length: shards.length }, (_, i) => i + 1));
    expect(shards.length).toBeLessThanOrEqual(256);
    const counts = lines.map(checkCommandLine).filter((n) => n !== undefined);
    expect(counts).toEqual([shards.length]);
  });

  it('every claude-project command line parses with the CLI options', () => {
    expect(lines.map((argv) => argv[0])).toEqual(['sequence', 'merge', 'status', 'recount', 'report']);
    for (const argv of lines) checkCommandLine(argv);
  });

  it('the merge job runs after the shard jobs, even when one failed', () => {
    const merge = parse(read('examples/github-actions/claude-project.yml')).jobs.merge as { needs: string[]; if: string };
    expect(merge.needs).toContain('shard');
    expect(merge.if).toMatch(/^always\(\)/);
  });
});

interface JobSpec {
  completionMode?: string;
  completions?: number;
  parallelism?: number;
  template: { spec: { containers: Array<{ args?: string[] }> } };
}

describe('examples/kubernetes/indexed-job.yaml', () => {
  const documents = parseAllDocuments(read('examples/kubernetes/indexed-job.yaml')).map(
    (d) => d.toJS() as { kind: string; metadata: { name: string }; spec: JobSpec },
  );
  const jobs = documents.filter((d) => d.kind === 'Job');
  const linesOf = (spec: JobSpec): string[][] => spec.template.spec.containers.flatMap((c) => (c.args ?? []).flatMap(commandLines));

  it('an Indexed Job with N completions whose --shard says the same N', () => {
    const shards = jobs.find((j) => j.spec.completionMode === 'Indexed')!;
    expect(shards.spec.parallelism).toBe(shards.spec.completions);
    const counts = linesOf(shards.spec).map(checkCommandLine);
    expect(counts).toEqual([shards.spec.completions]);
  });

  it('every claude-project command line parses with the CLI options', () => {
    const lines = jobs.flatMap((j) => linesOf(j.spec));
    expect(lines.map((argv) => argv[0])).toEqual(['sequence', 'merge', 'status', 'recount', 'report']);
    for (const argv of lines) checkCommandLine(argv);
  });
});
