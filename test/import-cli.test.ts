/** `obsgen import` as a process: files written and listed, refused input writes nothing (exit 1), usage errors exit 2. */
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir, tool } from './helpers/tools.ts';

const BIN = join(ROOT, 'src', 'cli', 'bin.js');
const obsgen = (args: string[]) => tool('node', [BIN, ...args], ROOT);
const SLOTH = 'test/fixtures/import-sloth';
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup?.());

describe('obsgen import, as a process', () => {
  it('writes slos/<service>.ts and slos/environments.ts, printing warnings and what it wrote', async () => {
    const out = join(dir, 'ok');
    const result = await obsgen([
      'import',
      'sloth',
      `${SLOTH}/getting-started.yml`,
      '--out',
      out,
      '--api',
      'obsgen',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      'wrote  slos/environments.ts\nwrote  slos/myservice.ts\n1 service(s), 1 SLO(s) imported.\n',
    );
    expect(result.stderr).toContain('warning: label category="availability" is dropped');
    const text = await readFile(join(out, 'slos', 'myservice.ts'), 'utf8');
    expect(text).toContain("} from 'obsgen';");
    expect(text).toContain("id: 'requests-availability',");
  });

  it('refused input: exit 1, the diagnostic naming file and field, nothing written', async () => {
    const out = join(dir, 'refused');
    const result = await obsgen(['import', 'sloth', `${SLOTH}/raw-home-wifi.yml`, '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `${SLOTH}/raw-home-wifi.yml: documents[0].slos.0.sli.raw: error: a raw error-ratio SLI cannot be imported`,
    );
    expect(result.stderr).not.toContain('    at ');
    expect(await exists(out)).toBe(false);
  });

  it('an unknown format is a usage error (exit 2)', async () => {
    const result = await obsgen(['import', 'nobl9', `${SLOTH}/getting-started.yml`, '--out', join(dir, 'x')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('unknown import format "nobl9"; expected openslo, sloth, pyrra\n');
  });
});
