/**
 * What every check reads: the validated project, its compiled and derived artifacts, their
 * documents and rendered files, and every generated rule once, parsed, with its line in the
 * rendered file and the definition it came from. What only some checks need is computed on first
 * use: the rules and panel queries, their lines, and the directory the real tools read.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import type { Artifacts } from '../compile/index.ts';
import { isAlertingRule, type Rule, type RuleFile, ruleFilePath } from '../compile/prometheus/index.ts';
import { GROUP, RECORD } from '../conventions.ts';
import type { Derived } from '../derive/index.ts';
import type { FileTree } from '../emit/index.ts';
import { type Document, writeFiles } from '../emit/index.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import type { Project, ResolvedService } from '../model/resolved.ts';
import { clusterLabelOf, type Environment } from '../model/service.ts';
import { formatSeconds } from '../model/units.ts';
import { type Parsed, parsePromql } from '../promql/index.ts';
import { onExitSync } from '../runtime/process.ts';
import { type PanelQuery, panelQueries } from './dashboard-queries.ts';
import { type SeriesCatalog, seriesCatalog } from './series.ts';

/**
 * Labels every raw series of an environment carries beyond the metric contract: the labels its
 * selectors pin (`selectorLabels`) and its cluster label, both external labels of the clusters.
 */
const environmentLabels = (env: Environment): string[] => {
  const cluster = clusterLabelOf(env);
  return [...Object.keys(env.selectorLabels ?? {}), ...(cluster === undefined ? [] : [cluster])];
};

/** A place in the definitions: file and field path. */
export interface Origin {
  readonly file: string;
  readonly path: readonly (string | number)[];
  /**
   * Whether a finding's field (`for`, `summary`) names a field of this definition: true for
   * catalog alerts, which are written field by field; SLO rules are derived as a whole.
   */
  readonly fields: boolean;
}

/** One rule of a generated rule file. */
export interface RuleRef {
  readonly service: ResolvedService;
  readonly env: Environment;
  /** Path under the output directory (`prometheus/production/x.rules.yaml`). */
  readonly path: string;
  readonly group: string;
  readonly rule: Rule;
  /** `alert` or `record` name. */
  readonly name: string;
  /** 1-based line of the rule and of the first line of its expression in the rendered file. */
  readonly line: number;
  readonly exprLine: number;
  /** The definition the rule was compiled from, when it can be told. */
  readonly origin: Origin | undefined;
  readonly parsed: Parsed;
}

export interface LintContext {
  readonly project: Project;
  readonly artifacts: Artifacts;
  readonly derived: Derived;
  readonly documents: readonly Document[];
  /** Rendered text of every document, by path under the output directory. */
  readonly tree: FileTree;
  /**
   * A directory holding `tree` as files, for the real tools; written on first call and removed
   * by `runChecks` when every check is done.
   */
  readonly workDir: () => Promise<string>;
  /** How the output directory is shown in diagnostics. @default 'generated' */
  readonly outDir: string;
  /** Every rule of every generated rule file, in file order. */
  readonly rules: readonly RuleRef[];
  /** Every query of every generated dashboard panel. */
  readonly panels: readonly PanelQuery[];
  /** Series a query of this service may select in this environment. */
  readonly catalog: (svc: ResolvedService, env: Environment) => SeriesCatalog;
}

/** Where the definitions wrote the rules of a group (SLO groups by name, catalog alerts by alert). */
function originOf(svc: ResolvedService, group: string, rule: Rule): Origin | undefined {
  if (isAlertingRule(rule)) {
    const alert = (svc.alerts ?? []).find((a) => a.name === rule.alert);
    if (alert) return { file: alert.file, path: [alert.name], fields: true };
  }
  for (const slo of svc.slos) {
    const at = (...path: string[]): Origin => ({ file: svc.file, path: [slo.id, ...path], fields: false });
    if (group === GROUP.sli(svc.name, slo.id)) {
      // A raw SLI's bad and total expressions are the base-window recordings.
      const base = formatSeconds(slo.baseWindow);
      if (slo.sli.kind === 'raw' && !isAlertingRule(rule)) {
        if (rule.record === RECORD.bad(base)) return at('sli', 'bad');
        if (rule.record === RECORD.total(base)) return at('sli', 'total');
      }
      return at('sli');
    }
    if (group === GROUP.meta(svc.name, slo.id)) return at();
    if (group === GROUP.alerts(svc.name, slo.id)) return at('alerting');
  }
  return undefined;
}

/** Lines of each rule (and its expression) of a rendered rule file, by group and rule index. */
function ruleLines(text: string): { line: number; exprLine: number }[][] {
  const counter = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter: counter });
  const groups = doc.get('groups', true);
  if (!YAML.isSeq(groups)) return [];
  return groups.items.map((group) => {
    const rules = YAML.isMap(group) ? group.get('rules', true) : undefined;
    if (!YAML.isSeq(rules)) return [];
    return rules.items.map((rule) => {
      const line = rule && YAML.isNode(rule) && rule.range ? counter.linePos(rule.range[0]).line : 0;
      const expr = YAML.isMap(rule) ? rule.get('expr', true) : undefined;
      if (!YAML.isScalar(expr) || !expr.range) return { line, exprLine: line };
      const start = counter.linePos(expr.range[0]).line;
      // A block scalar's text starts on the line after its `|-` indicator.
      const block = expr.type === 'BLOCK_LITERAL' || expr.type === 'BLOCK_FOLDED';
      return { line, exprLine: block ? start + 1 : start };
    });
  });
}

/**
 * Every rule of every rule file under prometheus/<env>/ with its place in the rendered file and
 * its origin. A file no service compiles to (another target's) is read against the contract of the
 * first service of its environment, with no origin.
 */
export function ruleRefs(project: Project, documents: readonly Document[], tree: FileTree): RuleRef[] {
  const owners = new Map<string, { svc: ResolvedService; env: Environment }>();
  const firstOfEnv = new Map<string, { svc: ResolvedService; env: Environment }>();
  for (const svc of project.services)
    for (const env of svc.environments) {
      owners.set(ruleFilePath(svc, env), { svc, env });
      if (!firstOfEnv.has(env.name)) firstOfEnv.set(env.name, { svc, env });
    }
  const refs: RuleRef[] = [];
  for (const doc of documents) {
    const envName = /^prometheus\/([^/]+)\/[^/]+\.ya?ml$/.exec(doc.path)?.[1];
    if (envName === undefined || doc.format !== 'yaml') continue;
    const owner = owners.get(doc.path) ?? firstOfEnv.get(envName);
    if (!owner) continue;
    const own = owners.has(doc.path);
    const file = doc.value as RuleFile;
    // Lines are read from the rendered YAML only when a finding needs them.
    let lines: ReturnType<typeof ruleLines> | undefined;
    const at = (g: number, r: number) => {
      lines ??= ruleLines(tree.get(doc.path) ?? '');
      return lines[g]?.[r] ?? { line: 0, exprLine: 0 };
    };
    file.groups.forEach((group, g) => {
      group.rules.forEach((rule, r) => {
        let parsed: Parsed | undefined;
        // Told only for a finding: most rules have none.
        let origin: Origin | undefined | null = null;
        refs.push({
          service: owner.svc,
          env: owner.env,
          path: doc.path,
          group: group.name,
          rule,
          name: isAlertingRule(rule) ? rule.alert : rule.record,
          get line() {
            return at(g, r).line;
          },
          get exprLine() {
            return at(g, r).exprLine;
          },
          get origin() {
            if (origin === null) origin = own ? originOf(owner.svc, group.name, rule) : undefined;
            return origin;
          },
          get parsed() {
            parsed ??= parsePromql(rule.expr);
            return parsed;
          },
        });
      });
    });
  }
  return refs;
}

/** Rule files an environment's Prometheus loads (every service's file of that environment). */
function environmentRuleFiles(documents: readonly Document[], env: Environment): RuleFile[] {
  return documents
    .filter((d) => d.format === 'yaml' && d.path.startsWith(`prometheus/${env.name}/`))
    .map((d) => (d as { value: unknown }).value as RuleFile);
}

/** A context and the way to remove what it wrote. */
export interface OpenContext {
  readonly ctx: LintContext;
  /** Removes the tools' directory, if one was written. */
  readonly close: () => Promise<void>;
}

/** Builds the context of a compiled, derived and rendered project. */
export function lintContext(options: {
  readonly artifacts: Artifacts;
  readonly derived: Derived;
  readonly documents: readonly Document[];
  readonly tree: FileTree;
  readonly outDir?: string;
}): OpenContext {
  const { artifacts, documents, tree } = options;
  const project = artifacts.project;
  const catalogs = new Map<string, SeriesCatalog>();
  let rules: RuleRef[] | undefined;
  let panels: PanelQuery[] | undefined;
  let dir: Promise<string> | undefined;
  let forget: () => void = () => undefined;
  const ctx: LintContext = {
    ...options,
    project,
    outDir: options.outDir ?? 'generated',
    get rules() {
      rules ??= ruleRefs(project, documents, tree);
      return rules;
    },
    get panels() {
      panels ??= panelQueries(artifacts);
      return panels;
    },
    workDir: () => {
      dir ??= mkdtemp(join(tmpdir(), 'obsgen-lint-')).then(async (path) => {
        // Removed also when lint is interrupted (Ctrl-C, SIGTERM).
        forget = onExitSync(() => rmSync(path, { recursive: true, force: true }));
        await writeFiles(path, tree);
        return path;
      });
      return dir;
    },
    catalog: (svc, env) => {
      const key = `${svc.name}\u0000${env.name}`;
      let catalog = catalogs.get(key);
      if (!catalog) {
        catalog = seriesCatalog(
          svc.metrics,
          svc.name,
          environmentRuleFiles(documents, env),
          environmentLabels(env),
        );
        catalogs.set(key, catalog);
      }
      return catalog;
    },
  };
  const close = async () => {
    if (!dir) return;
    const path = await dir.catch(() => undefined);
    if (path) await rm(path, { recursive: true, force: true });
    forget();
  };
  return { ctx, close };
}

/** A finding about one generated rule, before it is placed. */
export interface RuleFinding {
  readonly ref: RuleRef;
  readonly code: string;
  /** Field below the rule's origin (`['for']`), or below the rule in the generated file. */
  readonly field?: readonly (string | number)[];
  readonly message: string;
  readonly hint?: string;
  /** Lines below the rule's expression start (syntax errors), for the generated-file line. */
  readonly exprLineOffset?: number;
}

/**
 * Diagnostics of rule findings. A rule with a known origin is reported at its definition file and
 * field, once for all environments with the same finding (they are named); otherwise at the
 * generated file, group and rule, with the line.
 */
export function placeRuleFindings(ctx: LintContext, findings: readonly RuleFinding[]): Diagnostic[] {
  const merged = new Map<string, { finding: RuleFinding; envs: string[] }>();
  const out: Diagnostic[] = [];
  for (const f of findings) {
    const { ref } = f;
    if (!ref.origin) {
      out.push({
        code: f.code,
        severity: 'error',
        file: `${ctx.outDir}/${ref.path}`,
        path: [ref.group, ref.name, ...(f.field ?? [])],
        line: f.exprLineOffset === undefined ? ref.line : ref.exprLine + f.exprLineOffset,
        message: f.message,
        ...(f.hint ? { hint: f.hint } : {}),
      });
      continue;
    }
    const key = JSON.stringify([ref.origin, ref.name, f.code, f.field ?? [], f.message]);
    const seen = merged.get(key);
    if (seen) seen.envs.push(ref.env.name);
    else merged.set(key, { finding: f, envs: [ref.env.name] });
  }
  for (const { finding: f, envs } of merged.values()) {
    const origin = f.ref.origin as Origin;
    out.push({
      code: f.code,
      severity: 'error',
      file: origin.file,
      path: [...origin.path, ...(origin.fields ? (f.field ?? []) : [])],
      message: `${f.message} (${origin.fields ? '' : `rule ${f.ref.name} `}in ${[...envs].sort().join(', ')})`,
      ...(f.hint ? { hint: f.hint } : {}),
    });
  }
  return out;
}

/** A finding about one dashboard panel query. */
export interface PanelFinding {
  readonly query: PanelQuery;
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
}

/** Diagnostics of panel findings at the dashboard definition, once for all environments. */
export function placePanelFindings(findings: readonly PanelFinding[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const f of findings) {
    const d: Diagnostic = {
      code: f.code,
      severity: 'error',
      file: f.query.file,
      path: f.query.path,
      message: `panel "${f.query.title}" query ${f.query.refId} ${f.message}`,
      ...(f.hint ? { hint: f.hint } : {}),
    };
    const key = JSON.stringify([d.file, d.path, d.code, d.message]);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}
