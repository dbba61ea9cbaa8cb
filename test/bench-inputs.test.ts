/**
 * The inputs of `npm run bench:rules` stay valid (the benchmark itself is too slow for `npm test`):
 * the Sloth-shaped rules and the fleet's rules and history recordings pass promtool, and the fleet
 * validates through the model.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toRuleFile } from '../src/compile/prometheus/index.ts';
import { toYaml } from '../src/emit/yaml.ts';
import { loadProject } from '../src/index.ts';
import type { Project } from '../src/model/resolved.ts';
import { toSlothRuleFile } from './bench/sloth-shape.ts';
import { fleetRecordingHistory, fleetService } from './bench/workloads.ts';
import { ROOT, tempDir, tool } from './helpers/tools.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('obsgen-bench-inputs-'));
});
afterAll(() => cleanup());

/**
 * `promtool check rules`, lint fatal unless `sloth`: Sloth's period rule carries only
 * `sloth_window`, so promtool's duplicate-rule lint flags it for every SLO after the first, as it
 * does Sloth's own output.
 */
async function checkRules(name: string, text: string, sloth = false) {
  const file = join(dir, name);
  await writeFile(file, text);
  return tool('promtool', [
    'check',
    'rules',
    ...(sloth ? ['--lint=none'] : ['--lint=all', '--lint-fatal']),
    file,
  ]);
}

describe('benchmark inputs', () => {
  it('Sloth-shaped rules of the malaria API pass promtool check rules', async () => {
    const { project } = await loadProject({ root: ROOT });
    const svc = (project as Project).services[0];
    if (!svc) throw new Error('no service');
    for (const env of svc.environments) {
      const file = toSlothRuleFile(svc, env);
      expect(file.groups.map((g) => g.name)).toContain(`sloth-slo-sli-recordings-${svc.name}-error-rate`);
      const result = await checkRules(`sloth-${env.name}.yaml`, toYaml(file), true);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
  });

  it('a fleet of SLOs validates; its rules, Sloth-shaped rules and history recordings pass promtool', async () => {
    const { svc, env } = fleetService(3);
    expect(svc.slos.map((s) => s.id)).toEqual(['svc-0000-errors', 'svc-0001-errors', 'svc-0002-errors']);
    const files = [
      { text: toYaml(toRuleFile(svc, env)), sloth: false },
      { text: toYaml(toSlothRuleFile(svc, env)), sloth: true },
      ...fleetRecordingHistory(svc, env).map((text) => ({ text, sloth: false })),
    ];
    for (const [i, { text, sloth }] of files.entries()) {
      const result = await checkRules(`fleet-${i}.yaml`, text, sloth);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
  });
});
