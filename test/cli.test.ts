/** The CLI end to end as a process: generate, --check on drift, explain. */
import { execFile, spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/tools.ts';

const exec = promisify(execFile);
let dir: string;
let cleanup: () => Promise<void>;

/** Runs `obsgen` (the package's bin) in `root`; never throws for a non-zero exit. */
async function obsgen(
  root: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [
      join(ROOT, 'src', 'cli', 'bin.js'),
      '--root',
      root,
      ...args,
    ]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  // Beside the fixtures, so the copy's relative import of src/model and the package's ESM type hold.
  dir = await mkdtemp(join(ROOT, 'test', 'fixtures', '.tmp-cli-'));
  cleanup = () => rm(dir, { recursive: true, force: true });
  await cp(join(ROOT, 'test', 'fixtures', 'slo-valid'), dir, { recursive: true });
});
afterAll(() => cleanup());

describe('obsgen as a process', () => {
  it('generate writes generated/, then --check finds it up to date', async () => {
    const first = await obsgen(dir, 'generate');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('created  generated/prometheus/production/shop.rules.yaml');
    const check = await obsgen(dir, 'generate', '--check');
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/^generated\/ is up to date \(\d+ files\)\.\n$/);
  });

  it('--check lists changed, missing and stale files, exits 1 and writes nothing', async () => {
    const rules = join(dir, 'generated', 'prometheus', 'production', 'shop.rules.yaml');
    await writeFile(rules, `${await readFile(rules, 'utf8')}# edited by hand\n`);
    // A file an earlier run wrote (its manifest lists it) and one obsgen never wrote.
    await writeFile(join(dir, 'generated', 'prometheus', 'production', 'old.rules.yaml'), 'groups: []\n');
    const manifest = join(dir, 'generated', '.obsgen-manifest.json');
    const owned = JSON.parse(await readFile(manifest, 'utf8')) as { files: string[] };
    owned.files.push('prometheus/production/old.rules.yaml');
    await writeFile(manifest, JSON.stringify(owned));
    await writeFile(join(dir, 'generated', 'NOTES.md'), 'ours\n');
    const check = await obsgen(dir, 'generate', '--check');
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('differs  generated/prometheus/production/shop.rules.yaml');
    expect(check.stderr).toContain('stale    generated/prometheus/production/old.rules.yaml');
    expect(check.stderr).not.toContain('NOTES.md');
    expect(await readFile(rules, 'utf8')).toContain('# edited by hand');
  });

  it('generate repairs the drift, removes files it no longer produces, keeps files it never wrote', async () => {
    const fixed = await obsgen(dir, 'generate');
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain('updated  generated/prometheus/production/shop.rules.yaml');
    expect(fixed.stdout).toContain('removed  generated/prometheus/production/old.rules.yaml');
    expect(await readdir(join(dir, 'generated', 'prometheus', 'production'))).toEqual(['shop.rules.yaml']);
    expect(await readFile(join(dir, 'generated', 'NOTES.md'), 'utf8')).toBe('ours\n');
    expect((await obsgen(dir, 'generate', '--check')).code).toBe(0);
  });

  it('explain prints the burn table and --json the same rows', async () => {
    const text = await obsgen(dir, 'explain', '--slo', 'errors');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('shop / production / errors  (objective 99.9% over 30d, workbook windows)');
    expect(text.stdout).toMatch(
      /critical\s+1h\/5m\s+14\.4x\s+1\.44%\s+30s\s+3m27s\s+7\.99%\s+1h\/5m: 2m57s, 6\.83%/,
    );
    expect(text.stdout).toContain('1h/5m: long window by workbook table');
    const json = JSON.parse((await obsgen(dir, 'explain', '--slo', 'errors', '--json')).stdout) as {
      longWindow: string;
      burnFactor: string;
      firesAfterSeconds: number;
    }[];
    expect(json.map((r) => [r.longWindow, r.burnFactor])).toEqual([
      ['1h', '14.4'],
      ['6h', '6'],
      ['1d', '3'],
      ['3d', '1'],
    ]);
    expect(json[0]?.firesAfterSeconds).toBe(207);
  });

  it('a reader that closes the pipe (`| head`) ends the output, not the run: no stack trace, its own exit code', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((done) => {
        const child = spawn(process.execPath, [join(ROOT, 'src', 'cli', 'bin.js'), '--root', dir, ...args], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        // The reader is gone before the first line: every write meets a closed pipe (EPIPE).
        child.stdout.destroy();
        let stderr = '';
        child.stderr.on('data', (d) => {
          stderr += d;
        });
        child.on('close', (code) => done({ code, stderr }));
      });
    expect(await run(['explain', '--json'])).toEqual({ code: 0, stderr: '' });
    expect(await run(['generate', '--check'])).toEqual({ code: 0, stderr: '' });
    expect(await run(['explain', '--slo', 'nope'])).toEqual({ code: 2, stderr: 'no SLO with id "nope"\n' });
  });

  it('explain of an unknown SLO is a usage error (exit 2)', async () => {
    const result = await obsgen(dir, 'explain', '--slo', 'nope');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('no SLO with id "nope"\n');
  });
});
