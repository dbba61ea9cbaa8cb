import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDiagnostic, generate } from '../src/index.ts';
import { ROOT, tempDir } from './helpers/tools.ts';

const run = promisify(execFile);
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

/** Each bad fixture and the diagnostic codes it must produce (and nothing else). */
const CASES: { fixture: string; codes: string[] }[] = [
  { fixture: 'alerts-unknown-tier', codes: ['alert/unknown-tier'] },
  { fixture: 'alerts-missing-summary', codes: ['alert/missing-field'] },
  { fixture: 'alerts-bad-template', codes: ['alert/template', 'alert/template'] },
  {
    fixture: 'routing-inline-secret',
    codes: ['receiver/inline-secret', 'receiver/inline-secret', 'receiver/inline-secret'],
  },
  { fixture: 'routing-unknown-receiver', codes: ['route/unknown-receiver'] },
];

/** An output directory holding one file, so "nothing written" means it is exactly as before. */
async function sentinelOutput(name: string): Promise<string> {
  const out = join(dir, name, 'generated');
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'keep.txt'), 'untouched\n');
  return out;
}

describe('bad alert and routing definitions', () => {
  it.each(CASES)('$fixture: diagnostics with file and field, nothing written', async ({ fixture, codes }) => {
    const root = join(ROOT, 'test', 'fixtures', fixture);
    const out = await sentinelOutput(fixture);
    const result = await generate({ root, outDir: relative(root, out) });
    expect(result.drift).toBeUndefined();
    expect(result.diagnostics.map((d) => d.code)).toEqual(codes);
    for (const d of result.diagnostics) {
      expect(d.severity).toBe('error');
      expect(d.file).toMatch(/^(alerts|slos)\/[a-z-]+\.ts$/);
      expect(d.path.length).toBeGreaterThan(1);
    }
    expect(await readdir(out)).toEqual(['keep.txt']);
    expect(await readFile(join(out, 'keep.txt'), 'utf8')).toBe('untouched\n');
    await expect(`${result.diagnostics.map(formatDiagnostic).join('\n')}\n`).toMatchFileSnapshot(
      join('golden', 'bad-input', `${fixture}.txt`),
    );
  });

  it('the CLI prints the diagnostic, exits 1 and writes nothing (end to end)', async () => {
    const root = join(ROOT, 'test', 'fixtures', 'routing-unknown-receiver');
    const failure = await run(
      process.execPath,
      [join(ROOT, 'src', 'cli', 'bin.js'), '--root', root, 'generate'],
      {
        cwd: ROOT,
      },
    ).then(
      () => undefined,
      (error: { code?: number; stdout?: string; stderr?: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stdout).toBe('');
    expect(failure?.stderr).toContain(
      'slos/environments.ts: alerting.routes.6.receivers.0: error: route to receiver "slack-alert", which does not exist [route/unknown-receiver]',
    );
    expect(failure?.stderr).toContain('nothing was written');
    expect(failure?.stderr).not.toMatch(/^\s+at /m);
    expect(await readdir(root)).toEqual(['slos']);
  });
});
