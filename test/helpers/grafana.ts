/** Offline validation of generated dashboards against the Grafana schemas copied into test/schemas. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { ROOT } from './tools.ts';

const SCHEMAS = join(ROOT, 'test', 'schemas', 'grafana');
const PANEL_TYPES = ['timeseries', 'stat', 'table'] as const;

const load = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(SCHEMAS, `${name}.jsonschema.json`), 'utf8')) as Record<string, unknown>;

export interface GrafanaValidators {
  readonly dashboard: ValidateFunction;
  readonly query: ValidateFunction;
  /** Panel options and field config by panel type; `fieldConfig` undefined when the type has none. */
  readonly panels: ReadonlyMap<string, { options: ValidateFunction; fieldConfig?: ValidateFunction }>;
}

/** ajv validators for the dashboard, each panel type used and the Prometheus query. */
export function grafanaValidators(): GrafanaValidators {
  // The schemas are draft-07 with Grafana's own keywords (x-deprecation-message): not strict.
  const ajv = new Ajv({ strict: false, allErrors: true });
  // Only snapshot metadata uses it; ajv-formats is not needed for a plain RFC 3339 check.
  ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
  ajv.addSchema(load('dashboard'), 'dashboard');
  ajv.addSchema(load('prometheus'), 'prometheus');
  const panels = new Map<string, { options: ValidateFunction; fieldConfig?: ValidateFunction }>();
  for (const type of PANEL_TYPES) {
    const schema = load(type);
    ajv.addSchema(schema, type);
    const defs = (schema.definitions ?? {}) as Record<string, unknown>;
    const fieldConfig = 'FieldConfig' in defs ? ajv.getSchema(`${type}#/definitions/FieldConfig`) : undefined;
    panels.set(type, {
      options: ajv.getSchema(`${type}#/definitions/Options`) as ValidateFunction,
      ...(fieldConfig ? { fieldConfig } : {}),
    });
  }
  return {
    dashboard: ajv.getSchema('dashboard') as ValidateFunction,
    query: ajv.getSchema('prometheus') as ValidateFunction,
    panels,
  };
}

export interface GrafanaPanel {
  readonly id: number;
  readonly type: string;
  readonly title?: string;
  readonly options?: unknown;
  readonly fieldConfig?: { defaults?: { custom?: unknown; thresholds?: unknown }; overrides?: unknown[] };
  readonly datasource?: { type?: string; uid?: string };
  readonly targets?: {
    refId?: string;
    expr: string;
    instant?: boolean;
    range?: boolean;
    datasource?: unknown;
  }[];
}

export interface GrafanaDashboard {
  readonly uid: string;
  readonly title: string;
  readonly schemaVersion: number;
  readonly panels: readonly GrafanaPanel[];
  readonly templating: { list: { name: string; type: string }[] };
}

/** Every schema problem of one dashboard, as readable lines (empty when valid). */
export function schemaProblems(v: GrafanaValidators, dashboard: GrafanaDashboard): string[] {
  const problems: string[] = [];
  const check = (what: string, validate: ValidateFunction, value: unknown) => {
    if (!validate(value))
      for (const e of validate.errors ?? []) problems.push(`${what}${e.instancePath}: ${e.message}`);
  };
  check('dashboard', v.dashboard, dashboard);
  for (const panel of dashboard.panels) {
    if (panel.type === 'row') continue;
    const where = `panel ${panel.id} (${panel.type})`;
    const schemas = v.panels.get(panel.type);
    if (!schemas) {
      problems.push(`${where}: no schema for panel type ${panel.type}`);
      continue;
    }
    check(`${where} options`, schemas.options, panel.options ?? {});
    const custom = panel.fieldConfig?.defaults?.custom;
    if (schemas.fieldConfig) check(`${where} fieldConfig.defaults.custom`, schemas.fieldConfig, custom ?? {});
    else if (custom !== undefined && Object.keys(custom as object).length > 0)
      problems.push(`${where}: fieldConfig.defaults.custom set, but ${panel.type} has no field config`);
    for (const target of panel.targets ?? []) check(`${where} target ${target.refId}`, v.query, target);
  }
  return problems;
}
