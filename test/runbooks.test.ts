import { beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { compileArtifacts } from '../src/compile/index.ts';
import type { RuleFile } from '../src/compile/prometheus/index.ts';
import { toRunbooks } from '../src/derive/runbooks/index.ts';
import { buildTree, loadProject } from '../src/index.ts';
import type { Project } from '../src/model/resolved.ts';
import { ROOT } from './helpers/tools.ts';

let project: Project;
let tree: ReadonlyMap<string, string>;

beforeAll(async () => {
  const loaded = await loadProject({ root: ROOT });
  expect(loaded.diagnostics).toEqual([]);
  project = loaded.project as Project;
  tree = buildTree(project);
});

const alertRules = (env: string) =>
  (
    YAML.parse(tree.get(`prometheus/${env}/malaria-predictor-api.rules.yaml`) ?? '') as RuleFile
  ).groups.flatMap((g) => g.rules.flatMap((r) => ('alert' in r ? [r] : [])));

describe('runbooks', () => {
  it('exist for every runbook_url of every generated alert, in both environments', () => {
    const svc = project.services[0];
    let checked = 0;
    for (const env of svc?.environments ?? []) {
      for (const rule of alertRules(env.name)) {
        const url = rule.annotations.runbook_url ?? '';
        expect(url.startsWith(`${env.runbookBaseUrl}/`), url).toBe(true);
        const file = `runbooks/${url.slice(env.runbookBaseUrl.length + 1)}`;
        expect(file).toBe(`runbooks/malaria-predictor-api/${rule.alert}.md`);
        expect(tree.has(file), `${rule.alert}: ${file}`).toBe(true);
        expect(tree.get(file)).toContain(`# ${rule.alert}\n`);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('exist for nothing else: one runbook per service and alert name, plus the index', () => {
    const names = new Set(alertRules('production').map((r) => r.alert));
    const files = [...tree.keys()].filter((p) => p.startsWith('runbooks/'));
    expect(files.sort()).toEqual(
      [...[...names].map((n) => `runbooks/malaria-predictor-api/${n}.md`), 'runbooks/README.md'].sort(),
    );
  });

  it('keep Prometheus template syntax and PromQL exactly as Prometheus reads them', () => {
    for (const alert of project.alerts ?? []) {
      const text = tree.get(`runbooks/${alert.service}/${alert.name}.md`) ?? '';
      expect(text).toContain(alert.description);
      for (const expr of Object.values(alert.exprs)) expect(text).toContain(expr);
      // The template's own escaped Prometheus syntax comes out literally.
      expect(text).toContain('`{{ $labels.<name> }}` and `{{ $value }}`');
      expect(text).not.toMatch(/&quot;|&#x3D;|&lt;|&gt;|&amp;/);
    }
    expect(tree.get('runbooks/malaria-predictor-api/DataStale.md')).toContain('{{ $labels.source }}');
    expect(tree.get('runbooks/malaria-predictor-api/LatencyBudgetBurn.md')).toContain(
      '`{{ $value }}` (the long-window error ratio)',
    );
  });

  it('never read a Prometheus template as a handlebars template', () => {
    const tricky =
      '{{ if gt $value 1.0 }}{{ $labels.source }} high{{ else }}low{{ end }} {{`{{raw}}`}} {{/* note */}}';
    const alerts = (project.alerts ?? []).map((a) =>
      a.name === 'DataStale' ? { ...a, description: tricky } : a,
    );
    const runbook = toRunbooks(compileArtifacts({ ...project, alerts })).find(
      (r) => r.path === 'runbooks/malaria-predictor-api/DataStale.md',
    );
    expect(runbook?.text).toContain(`${tricky}\n`);
  });

  it('name the kubectl commands for the namespace, the dashboard and who gets notified', () => {
    const text = tree.get('runbooks/malaria-predictor-api/ApiDown.md') ?? '';
    expect(text).toContain(
      'kubectl -n malaria-prediction-production rollout status deploy/malaria-predictor-api',
    );
    expect(text).toContain('kubectl -n malaria-prediction-staging get pods -o wide');
    expect(text).toContain(
      'https://grafana.malaria-prediction.com/d/malaria-predictor-api-production-red?var-environment=production',
    );
    expect(text).toContain('| production | pagerduty-oncall, slack-alerts |');
    expect(text).toContain('| staging | slack-alerts |');
  });
});
