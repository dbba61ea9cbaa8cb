/**
 * `obsgen diff`: the comparison of two fixture projects (no git), and once end to end as a
 * process against a temporary git repository.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Change, diffProjects, formatDiffMarkdown, loadProject } from '../src/index.ts';
import type { Project } from '../src/model/resolved.ts';
import { ROOT, tempDir } from './helpers/tools.ts';

const run = promisify(execFile);
const fixture = (name: string) => join(ROOT, 'test', 'fixtures', name);

async function load(name: string): Promise<Project> {
  const { project, diagnostics } = await loadProject({ root: fixture(name) });
  expect(diagnostics).toEqual([]);
  return project as Project;
}

const find = (changes: readonly Change[], section: Change['section'], subject: string, env = 'production') =>
  changes.find((c) => c.section === section && c.subject === subject && (c.env ?? env) === env);

describe('diff of two projects', () => {
  let changes: Change[];

  beforeAll(async () => {
    changes = diffProjects(await load('lint-clean'), await load('diff-head'));
  });

  it('shows alert thresholds, for, receivers and SLO objectives old -> new', () => {
    expect(find(changes, 'alerts', 'shop/ShopHighErrorRate')?.details).toEqual(
      expect.arrayContaining(['threshold > 0.05 -> > 0.1', 'for 2m -> 5m']),
    );
    expect(find(changes, 'alerts', 'shop/ShopSlowRequests')?.details).toEqual([
      'receivers slack-alerts -> slack-alerts, email-digest',
    ]);
    expect(find(changes, 'alerts', 'shop/ShopCartErrors')?.kind).toBe('added');
    expect(find(changes, 'alerts', 'shop/ShopQueueBacklog')?.kind).toBe('removed');
    expect(find(changes, 'slos', 'shop/latency')?.details).toEqual(['objective 95% -> 99%']);
    expect(find(changes, 'routing', 'receiver slack-alerts')?.details).toEqual([
      'slack_configs.0.channel #shop-alerts -> #shop-oncall',
    ]);
    expect(find(changes, 'dashboards', 'shop / Business')?.details).toEqual([
      'panel "Checkouts per second" added',
    ]);
  });

  it('prints Markdown for a pull-request comment', async () => {
    const markdown = formatDiffMarkdown(changes, { base: 'lint-clean', head: 'diff-head' });
    await expect(markdown).toMatchFileSnapshot(join('golden', 'diff', 'shop.md'));
  });

  it('finds nothing between a project and itself, everything against nothing', async () => {
    const clean = await load('lint-clean');
    expect(diffProjects(clean, clean)).toEqual([]);
    expect(formatDiffMarkdown([], { base: 'HEAD' })).toContain('No change to the generated output.');
    const all = diffProjects(undefined, clean);
    expect(all.length).toBeGreaterThan(0);
    expect(all.every((c) => c.kind === 'added')).toBe(true);
  });
});

/** Copies a fixture project to `dir`, its definitions importing `dir/src` (a link to obsgen's). */
async function copyProject(name: string, dir: string): Promise<void> {
  for (const sub of ['slos', 'alerts', 'dashboards']) {
    await mkdir(join(dir, sub), { recursive: true });
    for (const file of await readdir(join(fixture(name), sub))) {
      const text = await readFile(join(fixture(name), sub, file), 'utf8');
      await writeFile(join(dir, sub, file), text.replaceAll('../../../../src/', '../src/'));
    }
  }
}

describe('obsgen diff as a process, in a git repository', () => {
  it('compares the working tree with a revision; an unknown revision is a usage error', async () => {
    const { dir, cleanup } = await tempDir('obsgen-diff-test-');
    try {
      const git = (...args: string[]) =>
        run('git', ['-c', 'user.name=obsgen', '-c', 'user.email=obsgen@example.invalid', ...args], {
          cwd: dir,
        });
      await copyProject('lint-clean', dir);
      await symlink(join(ROOT, 'src'), join(dir, 'src'), 'dir');
      await writeFile(join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
      await writeFile(join(dir, '.gitignore'), 'node_modules\n');
      await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
      await git('init', '-q');
      await git('add', '-A');
      await git('commit', '-qm', 'shop');
      const critical = join(dir, 'alerts', 'critical.ts');
      await writeFile(critical, (await readFile(critical, 'utf8')).replace('> 0.05`', '> 0.1`'));

      const cli = [join(ROOT, 'src', 'cli', 'bin.js'), '--root', dir, 'diff', '--base', 'HEAD'];
      const out = await run(process.execPath, cli);
      expect(out.stdout).toMatch(/^### obsgen diff: `HEAD` -> working tree\n/);
      expect(out.stdout).toContain(
        '| `shop/ShopHighErrorRate` | production, staging | changed<br>threshold > 0.05 -> > 0.1',
      );
      expect(out.stdout).not.toContain('ShopSlowRequests');

      const bad = await run(process.execPath, [...cli.slice(0, -1), 'no-such-ref']).catch(
        (e: { code: number; stderr: string }) => e,
      );
      expect(bad).toMatchObject({ code: 2 });
      expect((bad as { stderr: string }).stderr).toContain('"no-such-ref" is not a commit');
      // The revision was read with git archive: the working tree and the index are as they were.
      expect((await git('status', '--porcelain')).stdout).toBe(' M alerts/critical.ts\n');
    } finally {
      await cleanup();
    }
  });
});
