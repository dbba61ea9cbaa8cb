/**
 * The workflow shipped for users (.github/workflows/observability.yml) cannot run here: this
 * checks it parses, has the steps the README promises, and that every command it runs exists
 * (obsgen subcommands and their options, the install script, the promtool test files).
 */
import { execFile } from 'node:child_process';
import { access, constants, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ROOT } from './helpers/tools.ts';

const run = promisify(execFile);

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Record<string, unknown>;
}

interface Workflow {
  readonly on: Record<string, unknown>;
  readonly permissions: Record<string, string>;
  readonly jobs: Record<string, { readonly 'runs-on': string; readonly steps: Step[] }>;
}

let workflow: Workflow;
let steps: Step[];

beforeAll(async () => {
  const text = await readFile(join(ROOT, '.github', 'workflows', 'observability.yml'), 'utf8');
  const doc = YAML.parseDocument(text);
  expect(doc.errors).toEqual([]);
  workflow = doc.toJS() as Workflow;
  steps = Object.values(workflow.jobs).flatMap((j) => j.steps);
});

/** `npx obsgen <command> [--option ...]` invocations of the run steps. */
const obsgenCalls = (): { command: string; options: string[] }[] =>
  steps.flatMap((s) =>
    [...(s.run ?? '').matchAll(/npx obsgen (\w+)([^\n>|]*)/g)].map((m) => ({
      command: m[1] as string,
      options: [...(m[2] ?? '').matchAll(/--[a-z-]+/g)].map((o) => o[0]),
    })),
  );

describe('the observability workflow', () => {
  it('runs on pull requests with the permissions to comment', () => {
    expect(Object.keys(workflow.on)).toEqual(expect.arrayContaining(['pull_request']));
    expect(workflow.permissions).toMatchObject({ contents: 'read', 'pull-requests': 'write' });
    expect(Object.values(workflow.jobs).every((j) => j['runs-on'].startsWith('ubuntu-'))).toBe(true);
    for (const s of steps) if (s.uses) expect(s.uses).toMatch(/^actions\/[a-z-]+@v\d+$/);
  });

  it('installs, checks generated/, lints for annotations, runs promtool tests, diffs, uploads', () => {
    const runs = steps.map((s) => s.run ?? s.uses ?? '');
    const order = [
      /^npm ci/,
      /^\.ci\/install-tools$/,
      /^npx obsgen generate --check$/,
      /^npx obsgen lint --format github$/,
      /^promtool test rules generated\/tests\/\*\/\*\.test\.yaml$/,
      /npx obsgen diff --base "origin\/\$\{\{ github\.base_ref \}\}"/,
      /gh pr comment/,
      /^actions\/upload-artifact@/,
    ];
    const positions = order.map((re) => runs.findIndex((r) => re.test(r)));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))?.with).toMatchObject({
      path: 'generated/',
    });
  });

  it('calls only obsgen commands and options that exist', async () => {
    const calls = obsgenCalls();
    expect(calls.map((c) => c.command).sort()).toEqual(['diff', 'generate', 'lint']);
    for (const { command, options } of calls) {
      const help = await run(process.execPath, [join(ROOT, 'src', 'cli', 'bin.js'), command, '--help']);
      for (const option of options) expect(help.stdout).toContain(option);
    }
  });

  it('runs an install script and promtool test files that exist', async () => {
    await access(join(ROOT, '.ci', 'install-tools'), constants.X_OK);
    const tests = (
      await Promise.all(
        (
          await readdir(join(ROOT, 'generated', 'tests'))
        ).map(async (env) =>
          (await readdir(join(ROOT, 'generated', 'tests', env))).filter((f) => f.endsWith('.test.yaml')),
        ),
      )
    ).flat();
    expect(tests.length).toBeGreaterThan(0);
  });
});
