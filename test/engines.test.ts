/**
 * Rule engines beyond one Prometheus, with a second service (the payments ledger API of
 * test/fixtures/engines: other metrics, team and environments than the malaria API) whose
 * environments are evaluated by vmalert (dev), the Mimir ruler (staging) and Thanos Ruler
 * (production). vmalert's output is checked by the real vmalert; Thanos Ruler's and Mimir's, whose
 * tools do not install here, by their documented formats: the strict decoders of Thanos's
 * pkg/rules/manager.go (Prometheus rulefmt groups plus `partial_response_strategy`) and mimirtool's
 * pkg/mimirtool/rules (`namespace:` and `groups:`, one namespace per file, the namespace's group
 * names unique), and the PrometheusRule CRD.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { z } from 'zod';
import { lintDocuments } from '../src/commands/lint.ts';
import type { RuleFile, RuleGroup } from '../src/compile/prometheus/index.ts';
import {
  buildTree,
  formatDiagnostic,
  formatToolStatus,
  generate,
  installPlan,
  lint,
  loadProject,
  missingTools,
  TOOLS,
  type ToolStatus,
} from '../src/index.ts';
import type { Project } from '../src/model/resolved.ts';
import { build } from '../src/pipeline.ts';
import { ENGINE_TEMPLATE_FUNCTIONS, PROMETHEUS_TEMPLATE_FUNCTIONS } from '../src/validate/go-template.ts';
import { crdProblems, crdValidators, type KubeObject, parse11 } from './helpers/kubernetes.ts';
import { ROOT, tempDir, tool } from './helpers/tools.ts';

const fixture = (name: string) => join(ROOT, 'test', 'fixtures', name);
let project: Project;
let tree: ReadonlyMap<string, string>;

beforeAll(async () => {
  const loaded = await loadProject({ root: fixture('engines') });
  expect(loaded.diagnostics.map(formatDiagnostic)).toEqual([]);
  project = loaded.project as Project;
  tree = buildTree(project);
});

const read = (path: string): unknown => {
  const text = tree.get(path);
  if (text === undefined) throw new Error(`${path} was not generated`);
  return parse11(text);
};

const duration = z.string().regex(/^(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/);
const rule = z.union([
  z.strictObject({
    record: z.string(),
    expr: z.string(),
    labels: z.record(z.string(), z.string()).optional(),
  }),
  z.strictObject({
    alert: z.string(),
    expr: z.string(),
    for: duration.optional(),
    keep_firing_for: duration.optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
]);
/** Prometheus rulefmt.RuleGroup (2.53+), which Thanos Ruler and Mimir embed. */
const prometheusGroup = {
  name: z.string().min(1),
  interval: duration.optional(),
  query_offset: duration.optional(),
  limit: z.number().int().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  rules: z.array(rule),
};
/** Thanos Ruler's rule file: decoded with KnownFields(true); the strategy is `warn` or `abort`. */
const thanosRuleFile = z.strictObject({
  groups: z.array(
    z.strictObject({ ...prometheusGroup, partial_response_strategy: z.enum(['warn', 'abort']) }),
  ),
});
/** A mimirtool rule namespace file (rwrulefmt.RuleGroup: rulefmt's fields plus Mimir's own). */
const mimirNamespaceFile = z.strictObject({
  namespace: z.string().min(1),
  groups: z.array(
    z.strictObject({
      ...prometheusGroup,
      source_tenants: z.array(z.string()).optional(),
      evaluation_delay: duration.optional(),
      align_evaluation_time_on_interval: z.boolean().optional(),
    }),
  ),
});

/** A group without the fields engines add: what promtool checks and the generated tests prove. */
const plain = (group: RuleGroup): RuleGroup => {
  const { partial_response_strategy: _p, query_offset: _q, ...rest } = group;
  return rest;
};

describe('rule engines per environment', () => {
  it('write each engine its layout: prometheus/ for all, thanos-ruler/ and mimir/<tenant>/ besides', () => {
    const rules = [...tree.keys()].filter((p) => /^(prometheus|thanos-ruler|mimir)\//.test(p));
    expect(rules).toEqual([
      'mimir/staging/payments/ledger-api.yaml',
      'prometheus/dev/ledger-api.rules.yaml',
      'prometheus/production/ledger-api.rules.yaml',
      'prometheus/staging/ledger-api.rules.yaml',
      'thanos-ruler/production/ledger-api.rules.yaml',
    ]);
  });

  it('match the golden files', async () => {
    for (const [path, content] of tree)
      if (/^(prometheus|thanos-ruler|mimir|tests)\//.test(path) || /\/prometheusrule-/.test(path))
        await expect(content).toMatchFileSnapshot(join('golden', 'engines', path));
  });

  it('give Thanos Ruler the proven groups with partial_response_strategy and query_offset, in its format', () => {
    const thanos = read('thanos-ruler/production/ledger-api.rules.yaml');
    expect(thanosRuleFile.safeParse(thanos).error?.issues ?? []).toEqual([]);
    const { groups } = thanos as RuleFile;
    expect(groups.length).toBeGreaterThan(0);
    for (const g of groups)
      expect(g).toMatchObject({ partial_response_strategy: 'abort', query_offset: '30s' });
    expect(groups.map(plain)).toEqual(
      (read('prometheus/production/ledger-api.rules.yaml') as RuleFile).groups,
    );
  });

  it('give Mimir one namespace file per tenant folder, in the format mimirtool loads', () => {
    const file = read('mimir/staging/payments/ledger-api.yaml') as { namespace: string; groups: RuleGroup[] };
    expect(mimirNamespaceFile.safeParse(file).error?.issues ?? []).toEqual([]);
    // The tenant folder is the team; the namespace is the service name, also the file name.
    expect(file.namespace).toBe('ledger-api');
    const names = file.groups.map((g) => g.name);
    expect(new Set(names).size).toBe(names.length);
    for (const g of file.groups) expect(g.query_offset).toBe('1m');
    expect(file.groups.map(plain)).toEqual(
      (read('prometheus/staging/ledger-api.rules.yaml') as RuleFile).groups,
    );
  });

  it('merge services sharing a Mimir tenant and namespace into one file, keyed by neither', () => {
    const ledger = project.services[0];
    if (!ledger) throw new Error('no service');
    const staging = ledger.environments.find((e) => e.name === 'staging');
    if (!staging) throw new Error('no staging');
    const shared = { ...staging, ruler: { ...staging.ruler, tenant: 'finance', namespace: 'slos' } };
    const twin = (name: string) => ({
      ...ledger,
      name,
      slos: ledger.slos,
      environments: [shared],
    });
    const merged = buildTree({ ...project, services: [twin('ledger-api'), twin('ledger-replica')] });
    const paths = [...merged.keys()].filter((p) => p.startsWith('mimir/'));
    expect(paths).toEqual(['mimir/staging/finance/slos.yaml']);
    const file = parse11(merged.get('mimir/staging/finance/slos.yaml') ?? '') as { groups: RuleGroup[] };
    expect(file.groups.some((g) => g.name.startsWith('ledger-api-'))).toBe(true);
    expect(file.groups.some((g) => g.name.startsWith('ledger-replica-'))).toBe(true);
  });

  it('keep promtool-only fields out of the Prometheus rule files every engine shares', () => {
    for (const env of ['dev', 'staging', 'production']) {
      const { groups } = read(`prometheus/${env}/ledger-api.rules.yaml`) as RuleFile;
      for (const g of groups) expect(Object.keys(g).sort()).toEqual(['interval', 'name', 'rules']);
    }
  });

  it('write PrometheusRule objects only where an operator feeds them to the engine (Thanos Ruler here)', () => {
    const objects = [...tree.keys()].filter((p) => /^kubernetes\/[^/]+\/prometheusrule-/.test(p));
    expect(objects).toEqual(['kubernetes/production/prometheusrule-payments-production-ledger-api.yaml']);
    const object = read(objects[0] as string) as KubeObject & { spec: RuleFile };
    expect(crdProblems(crdValidators(), object)).toEqual([]);
    expect(object.metadata.labels).toMatchObject({ role: 'thanos-rules' });
    expect(object.spec.groups).toEqual(
      (read('thanos-ruler/production/ledger-api.rules.yaml') as RuleFile).groups,
    );
    for (const env of ['dev', 'staging'])
      expect(read(`kubernetes/${env}/kustomization.yaml`)).not.toMatchObject({
        resources: expect.arrayContaining([expect.stringMatching(/^prometheusrule-/)]),
      });
  });

  it('pass lint, vmalert -dryRun on the vmalert environment included', async () => {
    const result = await lint({ root: fixture('engines') });
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(result.checks).toContain('vmalert-dryrun');
  });

  it('report what vmalert -dryRun refuses at the generated file', async () => {
    const built = build(project);
    const tampered = built.documents.map((d) =>
      d.path === 'prometheus/dev/ledger-api.rules.yaml' && d.format === 'yaml'
        ? {
            ...d,
            value: {
              groups: (d.value as RuleFile).groups.map((g, i) =>
                i === 0 ? { ...g, query_offset: '1m' } : g,
              ),
            },
          }
        : d,
    );
    const result = await lintDocuments(project, tampered, ['vmalert-dryrun']);
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([
      expect.stringMatching(
        /^generated\/prometheus\/dev\/ledger-api\.rules\.yaml: error: vmalert -dryRun refuses the file: .*unknown fields in group "ledger-api-entry-errors-sli": query_offset \[vmalert\/dry-run\]$/,
      ),
    ]);
  });
});

describe('template functions per engine', () => {
  /** vmalert -dryRun on one alert whose annotation calls `fn`: its complaint, or '' when it accepts. */
  const vmalertOn = async (dir: string, fn: string): Promise<string> => {
    const file = join(dir, `${fn}.yaml`);
    const group = {
      name: 'g',
      rules: [{ alert: 'A', expr: 'up == 0', annotations: { a: `{{ ${fn} "1" }}` } }],
    };
    await writeFile(file, YAML.stringify({ groups: [group] }));
    const run = await tool('vmalert', ['-dryRun', `-rule=${file}`, '-loggerLevel=ERROR']);
    return run.code === 0 ? '' : `${run.stdout}${run.stderr}`;
  };

  it("agree with the real vmalert: it defines every function obsgen allows it, and refuses Prometheus's others", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const allowed = [...ENGINE_TEMPLATE_FUNCTIONS.vmalert].filter((f) => /^[a-z]/i.test(f));
      for (const fn of allowed) expect(await vmalertOn(dir, fn), fn).not.toMatch(/not defined/);
      const refused = [...PROMETHEUS_TEMPLATE_FUNCTIONS].filter(
        (f) => !ENGINE_TEMPLATE_FUNCTIONS.vmalert.has(f),
      );
      expect(refused.sort()).toEqual(['graphLink', 'tableLink', 'toTime']);
      for (const fn of refused) expect(await vmalertOn(dir, fn)).toContain(`function "${fn}" not defined`);
    } finally {
      await cleanup();
    }
  });
});

describe('bad engine settings and templates', () => {
  it('an unknown engine or ruler setting is a shape error naming file and field', async () => {
    const { validateProject } = await import('../src/validate/index.ts');
    const { default: ledger } = await import('./fixtures/engines/slos/ledger-api.ts');
    const [dev, staging] = ledger.environments;
    const value = {
      ...ledger,
      environments: [
        { ...dev, engine: 'cortex' },
        { ...staging, ruler: { tenant: 'payments', shard: 2 } },
      ],
    };
    const result = validateProject([{ file: 'slos/ledger-api.ts', exportName: 'default', value }]);
    expect(result.project).toBeUndefined();
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([
      'slos/ledger-api.ts: dev.engine: error: Invalid option: expected one of "prometheus"|"vmalert"|"thanos-ruler"|"mimir" [schema/invalid-value]',
      'slos/ledger-api.ts: staging.ruler: error: Unrecognized key: "shard" [schema/unrecognized-keys]',
    ]);
  });

  const CASES = [
    {
      fixture: 'engines-bad',
      codes: [
        'env/query-offset',
        'env/ruler-setting',
        'env/mimir-name',
        'env/ruler-setting',
        'slo/annotation-template-engine',
      ],
    },
    { fixture: 'engines-bad-template', codes: ['alert/template-engine', 'alert/template-engine'] },
  ];

  it.each(CASES)(
    '$fixture: diagnostics naming file and field, nothing written',
    async ({ fixture: name, codes }) => {
      const { dir, cleanup } = await tempDir();
      try {
        const root = fixture(name);
        const out = join(dir, 'generated');
        await mkdir(out);
        await writeFile(join(out, 'keep.txt'), 'untouched\n');
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
          join('golden', 'engines', `${name}.txt`),
        );
      } finally {
        await cleanup();
      }
    },
  );
});

describe('obsgen tools and vmalert', () => {
  const without = (names: readonly string[]): ToolStatus[] =>
    TOOLS.map((tool) => (names.includes(tool.name) ? { tool } : { tool, path: `/usr/bin/${tool.name}` }));

  it('lists vmalert and victoria-metrics as optional: missing, they fail nothing unless asked for', () => {
    const statuses = without(['vmalert', 'victoria-metrics']);
    expect(missingTools(statuses)).toEqual([]);
    expect(installPlan(statuses, { aptGet: true, root: true })).toEqual({ kind: 'nothing' });
    expect(installPlan(statuses, { aptGet: true, root: true }, ['vmalert'])).toEqual({
      kind: 'apt',
      packages: ['victoria-metrics'],
      commands: [
        ['apt-get', 'update', '-qq'],
        ['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'victoria-metrics'],
      ],
    });
    expect(formatToolStatus(statuses)).toMatch(
      /^vmalert\s+missing\s+\(obsgen lint, drill --engine vmalert; Debian package victoria-metrics; optional, for environments whose engine is vmalert: --install --with vmalert\)$/m,
    );
  });

  it('finds the installed vmalert with the Debian package version (it prints none itself)', async () => {
    const { toolStatus } = await import('../src/index.ts');
    const vmalert = (await toolStatus()).find((s) => s.tool.name === 'vmalert');
    expect(vmalert?.path).toMatch(/\/vmalert$/);
    expect(vmalert?.version).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('drill delay per engine', () => {
  it('counts the levels of recording rules an alert reads through, and adds nothing on Prometheus', async () => {
    const { recordingDepth, engineDelay } = await import('../src/commands/drill/engine-delay.ts');
    const { toDrillRuleFile } = await import('../src/compile/prometheus/drill.ts');
    const { toRuleFile } = await import('../src/compile/prometheus/index.ts');
    const svc = project.services[0];
    const env = svc?.environments.find((e) => e.name === 'dev');
    if (!svc || !env) throw new Error('no ledger dev');
    const rules = toRuleFile(svc, env);
    // raw -> bad/total -> windowed ratio -> the burn alert; the no-data alert reads the base total.
    expect(recordingDepth(rules, 'EntryErrorsBudgetBurn')).toBe(2);
    expect(recordingDepth(rules, 'EntryErrorsSliNoData')).toBe(1);
    expect(recordingDepth(rules, 'NoSuchAlert')).toBe(0);
    const drill = toDrillRuleFile(rules, 5);
    expect(engineDelay('prometheus', drill)('EntryErrorsBudgetBurn').seconds).toBe(0);
    const vm = engineDelay('vmalert', drill)('EntryErrorsBudgetBurn');
    expect(vm.seconds).toBeGreaterThan(engineDelay('vmalert', drill)('EntryErrorsSliNoData').seconds);
    expect(vm.why).toMatch(/^vmalert \d+s: 2 levels of recording rules, each read back/);
  });
});
