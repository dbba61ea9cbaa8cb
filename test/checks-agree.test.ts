/**
 * `generate` and `lint` run one registry of checks: on every fixture they reach the same verdict
 * and name the same files and fields. Generating refuses whatever lint reports as an error, except
 * what only promtool or amtool can find (those checks are lint-only and listed as such).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS, formatCheckList, GENERATE_CHECKS, generate, lint } from '../src/index.ts';
import type { Diagnostic } from '../src/model/diagnostic.ts';
import { ROOT } from './helpers/tools.ts';

const FIXTURES = join(ROOT, 'test', 'fixtures');
const fixtures = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
  .map((e) => e.name)
  .sort();

/** What a finding names: the file, the field and the rule broken. */
const place = (d: Diagnostic): string => `${d.file}: ${d.path.join('.')} [${d.code}]`;
const errors = (diagnostics: readonly Diagnostic[]): string[] =>
  [...new Set(diagnostics.filter((d) => d.severity === 'error').map(place))].sort();

describe('generate and lint on every fixture', () => {
  it('covers the bad-definition fixtures', () => {
    expect(fixtures.length).toBeGreaterThan(30);
    expect(fixtures).toEqual(expect.arrayContaining(['kubernetes-too-large', 'lint-series', 'lint-routing']));
  });

  it.each(fixtures)('%s: the same verdict, files and fields', async (name) => {
    const root = join(FIXTURES, name);
    // --check writes nothing: the fixture's (absent) generated/ is only compared with.
    const generated = await generate({ root, check: true, outDir: '.no-output' });
    const blocking = await lint({ root, checks: GENERATE_CHECKS });
    const refused = generated.drift === undefined;
    expect(refused, `generate ${refused ? 'refused' : 'accepted'} ${name}`).toBe(
      blocking.diagnostics.some((d) => d.severity === 'error'),
    );
    expect(errors(generated.diagnostics)).toEqual(errors(blocking.diagnostics));
    // Every check, the tools' too: lint finds at least what generate refuses.
    const full = await lint({ root });
    expect(errors(full.diagnostics)).toEqual(expect.arrayContaining(errors(generated.diagnostics)));
  });

  it('refuses, in generate, the findings the registry once left to lint', async () => {
    // Each was an error of `obsgen lint` that `generate` wrote anyway.
    const refusedBy = async (name: string) =>
      errors((await generate({ root: join(FIXTURES, name), check: true })).diagnostics);
    expect(await refusedBy('kubernetes-too-large')).toEqual(
      expect.arrayContaining([expect.stringContaining('[kubernetes/rule-group-too-large]')]),
    );
    expect(await refusedBy('lint-series')).toEqual(
      expect.arrayContaining([expect.stringMatching(/\[series\/unknown-(metric|label)\]/)]),
    );
    expect(await refusedBy('lint-routing')).toEqual(
      expect.arrayContaining([expect.stringContaining('[routing/unrouted]')]),
    );
  });

  it('lists every check with what it reads and whether it blocks generate', () => {
    const list = formatCheckList();
    for (const c of CHECKS) expect(list).toContain(c.name);
    const toolChecks = CHECKS.filter((c) => c.tool !== undefined);
    expect(toolChecks.map((c) => c.name).sort()).toEqual([
      'alertmanager-amtool',
      'alertmanager-routes-amtool',
      'prometheus-promtool',
      'vmalert-dryrun',
    ]);
    for (const c of toolChecks) expect(c.blocksGenerate).toBe(false);
    expect(GENERATE_CHECKS).toEqual(CHECKS.filter((c) => c.tool === undefined).map((c) => c.name));
  });
});
