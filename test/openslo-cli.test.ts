import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir, tool } from './helpers/tools.ts';

const BIN = join(ROOT, 'src', 'cli', 'bin.js');
const obsgen = (args: string[], cwd = ROOT) => tool('node', [BIN, ...args], cwd);
const FIXTURE = join(ROOT, 'test', 'fixtures', 'openslo-malaria', 'openslo');
const ENVIRONMENTS = join(ROOT, 'slos', 'environments.ts');

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup?.());

describe('obsgen OpenSLO commands, as a process', () => {
  it('validate: exit 0 and a summary for valid files, exit 1 and diagnostics (no stack trace) otherwise', async () => {
    const ok = await obsgen(['validate', FIXTURE]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(
      '2 file(s) valid: 2 AlertNotificationTarget, 12 AlertCondition, 12 AlertPolicy, 1 Service, 1 DataSource, 1 SLI, 4 SLO; 1 service(s), 4 SLO(s) to generate.\n',
    );
    const bad = await obsgen([
      'validate',
      'test/fixtures/openslo-corpus/oslo/validate-inputs/unknown-field.yaml',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      [
        `test/fixtures/openslo-corpus/oslo/validate-inputs/unknown-field.yaml: documents[0].metadata.name: error: "my-rad service" is not a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit [openslo/name]`,
        'test/fixtures/openslo-corpus/oslo/validate-inputs/unknown-field.yaml: documents[0].spec.markdown: error: unknown field "markdown" [openslo/unknown-field]',
        '  hint: check the spelling against the OpenSLO specification; unknown fields are refused',
        '2 errors in 1 file(s).',
        '',
      ].join('\n'),
    );
  });

  it('generate --openslo writes the rules of the OpenSLO files; invalid files write nothing', async () => {
    const args = ['--root', dir, 'generate', '--openslo', FIXTURE, '--environments', ENVIRONMENTS];
    const run = await obsgen(args);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(await readdir(join(dir, 'generated', 'prometheus'))).toEqual(['production', 'staging']);
    const check = await obsgen([...args, '--check']);
    expect(check.code).toBe(0);
    const broken = join(dir, 'broken.yaml');
    await writeFile(broken, 'apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: x\nspec: {}\n');
    const before = await readFile(
      join(dir, 'generated', 'prometheus', 'production', 'malaria-predictor-api.rules.yaml'),
      'utf8',
    );
    const refused = await obsgen([...args, '--openslo', broken]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'broken.yaml: documents[0].spec.service: error: required field is missing [openslo/required]',
    );
    expect(refused.stderr).toContain('nothing was written');
    expect(
      await readFile(
        join(dir, 'generated', 'prometheus', 'production', 'malaria-predictor-api.rules.yaml'),
        'utf8',
      ),
    ).toBe(before);
  });

  it('export openslo writes the golden documents to standard output or a directory', async () => {
    const golden = await readFile(
      join(ROOT, 'test', 'golden', 'openslo', 'malaria-predictor-api.openslo.yaml'),
      'utf8',
    );
    const out = await obsgen(['export', 'openslo']);
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(golden);
    const written = await obsgen(['export', 'openslo', '--out', join(dir, 'export')]);
    expect(written.code).toBe(0);
    expect(await readFile(join(dir, 'export', 'malaria-predictor-api.openslo.yaml'), 'utf8')).toBe(golden);
    const unknown = await obsgen(['export', 'sloth']);
    expect(unknown.code).toBe(2);
  });
});
