/**
 * `obsgen test --changed-since <ref>` runs what a change touched: the services whose definitions or
 * generated rule and test files changed, the math shapes whose files changed, everything when
 * anything else changed. The file list comes from git (committed, staged, unstaged, untracked).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changedFiles } from '../src/commands/diff/git.ts';
import { changedScope, type ProjectFolders } from '../src/commands/test/changed.ts';
import { proveAlerts } from '../src/commands/test/prove.ts';
import { loadProject } from '../src/index.ts';
import type { Project } from '../src/model/resolved.ts';
import { type Build, build } from '../src/pipeline.ts';
import { ROOT, tempDir } from './helpers/tools.ts';

const root = join(ROOT, 'test', 'fixtures', 'multi-service');
const FOLDERS: ProjectFolders = {
  definitions: 'slos',
  alerts: 'alerts',
  dashboards: 'dashboards',
  outDir: 'generated',
};
let built: Build;

beforeAll(async () => {
  const loaded = await loadProject({ root });
  expect(loaded.diagnostics).toEqual([]);
  built = build(loaded.project as Project);
});

const scopeOf = (files: string[]) => changedScope(files, FOLDERS, built.derived.tests, built.derived.shapes);

describe('the scope of a change', () => {
  it('one service definition: that service only, no shape replayed', () => {
    const scope = scopeOf(['slos/checkout-api.ts']);
    expect(scope).toEqual({ all: false, services: new Set(['checkout-api']), shapes: new Set() });
  });

  it("a service's generated rule or test file: that service (a second service this time)", () => {
    expect(scopeOf(['generated/prometheus/staging/malaria-predictor-api.rules.yaml'])).toMatchObject({
      services: new Set(['malaria-predictor-api']),
    });
    expect(scopeOf(['generated/tests/production/checkout-api.test.yaml'])).toMatchObject({
      services: new Set(['checkout-api']),
    });
  });

  it("a shape's file: the shape and every service with an SLO that shares it", () => {
    const shared = built.derived.shapes.find(({ shape }) =>
      built.derived.tests.some((t) => t.shapes.some((u) => u.shape === shape)),
    );
    if (!shared) throw new Error('no shape');
    const users = new Set(
      built.derived.tests
        .filter((t) => t.shapes.some((u) => u.shape === shared.shape))
        .map((t) => t.svc.name),
    );
    const scope = scopeOf([`generated/${shared.plans[0]?.path}`]);
    expect(scope).toEqual({ all: false, services: users, shapes: new Set([shared.shape.hash]) });
  });

  it('an alert file: the services whose catalog alerts it defines; a dashboard: nothing to prove', () => {
    const owner = built.derived.tests.find((t) => (t.svc.alerts ?? []).length > 0)?.svc;
    const file = owner?.alerts?.[0]?.file ?? '';
    expect(file).toMatch(/^alerts\//);
    const scope = scopeOf([file]);
    expect(scope.all).toBe(false);
    if (!scope.all) expect(scope.services.has(owner?.name ?? '')).toBe(true);
    expect(scopeOf(['dashboards/malaria-predictor-api.ts'])).toEqual({
      all: false,
      services: new Set(),
      shapes: new Set(),
    });
  });

  it('anything else (obsgen itself, the lock file, the config): everything', () => {
    for (const f of ['package-lock.json', 'obsgen.config.ts', '../src/derive/tests/slo.ts'])
      expect(scopeOf(['slos/checkout-api.ts', f])).toEqual({ all: true });
  });
});

describe('changed files from git', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('obsgen-changed-'));
  });
  afterAll(() => cleanup());

  it('lists committed, unstaged and untracked changes relative to the project root', async () => {
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.email=t@example.org', '-c', 'user.name=t', ...args], { cwd: dir });
    git('init', '-q');
    await mkdir(join(dir, 'project', 'slos'), { recursive: true });
    await writeFile(join(dir, 'project', 'slos', 'a.ts'), 'a\n');
    await writeFile(join(dir, 'project', 'slos', 'b.ts'), 'b\n');
    await writeFile(join(dir, 'README.md'), 'r\n');
    git('add', '.');
    git('commit', '-qm', 'base');
    await writeFile(join(dir, 'project', 'slos', 'a.ts'), 'a2\n');
    await writeFile(join(dir, 'project', 'slos', 'c.ts'), 'c\n');
    await writeFile(join(dir, 'README.md'), 'r2\n');
    expect(await changedFiles(join(dir, 'project'), 'HEAD')).toEqual([
      '../README.md',
      'slos/a.ts',
      'slos/c.ts',
    ]);
    await expect(changedFiles(join(dir, 'project'), 'no-such-ref')).rejects.toThrow(/is not a commit/);
  });
});

describe('proving a scope (real promtool)', () => {
  it('runs the touched service only and replays no unchanged shape, but still compares its rules to them', async () => {
    const report = await proveAlerts(
      { documents: built.documents, derived: { tests: built.derived.tests, shapes: built.derived.shapes } },
      { environments: ['staging'], scope: { services: new Set(['checkout-api']), shapes: new Set() } },
    );
    expect(report.services.map((s) => s.service)).toEqual(['checkout-api']);
    const results = report.services.flatMap((s) => s.alerts.flatMap((a) => a.results));
    expect(results.some((r) => r.scenario.name.includes('math shape') && r.scenario.kind !== 'shape')).toBe(
      false,
    );
    expect(results.filter((r) => r.scenario.kind === 'shape').length).toBeGreaterThan(0);
    expect(results.some((r) => r.scenario.kind === 'outage')).toBe(true);
    expect(report.passed).toBe(true);
  });
});
