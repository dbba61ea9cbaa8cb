/**
 * Sloth service levels into the model: the CLI spec (`version: prometheus/v1`) and the Kubernetes
 * `PrometheusServiceLevel` (`sloth.slok.dev/v1`), read into the same defineService / defineSlo
 * values TypeScript definitions produce, so validation, every compiler, check and proof applies.
 *
 * What carries over: service, SLO names, objectives (percent -> fraction), descriptions, the
 * `events` SLI queries (Sloth's `{{.window}}` placeholder is obsgen's), service, SLO and alert
 * labels shared by both tiers, alert annotations, and disabled page or ticket alerts. Sloth's
 * default 30 day period and its window pairs (14.4x 1h/5m, 6x 6h/30m, 3x 1d/2h, 1x 3d/6h) are
 * obsgen's derived pairs for 30 days, so no explicit windows are written.
 * Refused by name: SLI plugins and SLO plugins (code run by Sloth), and `raw` error-ratio SLIs
 * (obsgen averages longer windows from bad and total events; a ratio alone cannot be averaged).
 */
import type { z } from 'zod';
import { burnAlertName } from '../../conventions.ts';
import type { LoadedService } from '../../load/loaded.ts';
import { type Diagnostic, errorAt, type Path, warningAt } from '../../model/diagnostic.ts';
import { defineService, type Environment } from '../../model/service.ts';
import { defineSlo, rawSli, type Slo, type SloAlerting } from '../../model/slo.ts';
import { validateService } from '../../validate/service.ts';
import { fittingSloId } from '../ids.ts';
import { type RawObject, readOpenSloFile } from '../openslo/import/documents.ts';
import { shownPath } from '../openslo/import/files.ts';
import { inferredContract } from '../openslo/import/services.ts';
import { checkedSource } from '../openslo/import/source.ts';
import { type SlothSlo, type SlothSpec, slothDocument } from './schema.ts';

export interface SlothImportOptions {
  /** Environments every imported service is generated for. */
  readonly environments: readonly Environment[];
}

export interface FormatImportResult {
  /** Services that converted and validated. */
  readonly services: LoadedService[];
  /** Errors (nothing converted from that object) and warnings (converted, something changed). */
  readonly diagnostics: Diagnostic[];
  /** Comments of each SLO for the TypeScript writer: service name -> slo id -> text. */
  readonly notes: ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;
}

/** Labels obsgen sets on every SLO alert itself; a Sloth label of the same name would be overwritten. */
const OWN_LABELS = new Set([
  'severity',
  'category',
  'slo',
  'service',
  'environment',
  'namespace',
  'long_window',
  'short_window',
  'burn_factor',
]);

const error = errorAt;
const warning = warningAt;

/** A percentage as the fraction it stands for, without binary noise (99.9 -> 0.999, not 0.9990000000000001). */
export const fractionOfPercent = (percent: number): number => Number((percent / 100).toPrecision(12));

/** Reads every file; each Sloth document is one service. */
export async function importSlothFiles(
  root: string,
  files: readonly string[],
  options: SlothImportOptions,
): Promise<FormatImportResult> {
  const raws: RawObject[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const file of files) {
    const read = await readOpenSloFile(file, shownPath(root, file));
    raws.push(...read.objects);
    diagnostics.push(...read.diagnostics);
  }
  const result = importSlothObjects(raws, options);
  return { ...result, diagnostics: [...diagnostics, ...result.diagnostics] };
}

/** Converts Sloth documents already parsed. */
export function importSlothObjects(
  raws: readonly RawObject[],
  options: SlothImportOptions,
): FormatImportResult {
  const diagnostics: Diagnostic[] = [];
  const services: LoadedService[] = [];
  const notes = new Map<string, Map<string, string[]>>();
  for (const raw of raws) {
    const at = `documents[${raw.index}]`;
    const parsed = slothDocument(raw.value);
    if (!parsed.ok) {
      diagnostics.push(...parsed.issues.map((i) => issueDiagnostic(raw.file, parsed.root(at), i)));
      continue;
    }
    const { spec, root, camel } = parsed;
    const head: Path = root(at);
    const before = diagnostics.length;
    const slos: Slo[] = [];
    const sloNotes = new Map<string, string[]>();
    if (spec.slo_plugins)
      diagnostics.push(
        error(
          raw.file,
          [...head, camel ? 'sloPlugins' : 'slo_plugins'],
          'sloth/unsupported-plugin',
          'Sloth SLO plugins are Go code Sloth runs while generating; obsgen cannot run them',
          'remove the plugin chain and write what it generates as labels, annotations or separate alerts',
        ),
      );
    const taken = new Set<string>();
    for (const [k, slo] of spec.slos.entries()) {
      const id = fittingSloId(slo.name, taken);
      taken.add(id);
      const converted = convertSlo(
        spec,
        { ...slo, name: id },
        { file: raw.file, path: [...head, 'slos', k], camel },
        options,
      );
      if (id !== slo.name)
        converted.notes.unshift(
          `Sloth SLO ${slo.name}: the id is shortened so its alert names fit 40 characters.`,
        );
      diagnostics.push(...converted.diagnostics);
      if (converted.slo) {
        slos.push(converted.slo);
        sloNotes.set(converted.slo.id, converted.notes);
      }
    }
    if (diagnostics.slice(before).some((d) => d.severity === 'error') || slos.length === 0) continue;
    const item: LoadedService = {
      file: raw.file,
      exportName: `Sloth ${at}`,
      value: defineService({
        name: spec.service,
        team: spec.labels?.owner ?? spec.labels?.team ?? spec.service,
        description: `Imported from Sloth (${raw.file}).`,
        environments: options.environments,
        metrics: inferredContract(
          slos,
          'Read by the Sloth SLIs of this service (type inferred from the queries).',
        ),
        slos,
      }),
    };
    const checked = validateService(item);
    if (checked.diagnostics.length > 0) {
      diagnostics.push(...checked.diagnostics.map((d) => ({ ...d, path: [...head, ...d.path] })));
      continue;
    }
    services.push(item);
    notes.set(spec.service, sloNotes);
  }
  return { services, diagnostics, notes };
}

interface Where {
  readonly file: string;
  readonly path: Path;
  /** Kubernetes spelling (errorQuery) rather than the CLI spec's (error_query). */
  readonly camel: boolean;
}

function convertSlo(
  spec: SlothSpec,
  slo: SlothSlo,
  where: Where,
  options: SlothImportOptions,
): { slo?: Slo; diagnostics: Diagnostic[]; notes: string[] } {
  const { file, path, camel } = where;
  const diagnostics: Diagnostic[] = [];
  const notes: string[] = [];
  const name = (snake: string, camelName: string) => (camel ? camelName : snake);
  if (slo.sli.plugin) {
    diagnostics.push(
      error(
        file,
        [...path, 'sli', 'plugin'],
        'sloth/unsupported-plugin',
        `SLI plugin ${JSON.stringify(slo.sli.plugin.id)} is Go code Sloth runs to build the queries; obsgen cannot run it`,
        'write the queries the plugin builds as sli.events error and total queries',
      ),
    );
  }
  if (slo.sli.raw) {
    diagnostics.push(
      error(
        file,
        [...path, 'sli', 'raw'],
        'sloth/unsupported-raw-sli',
        'a raw error-ratio SLI cannot be imported: obsgen records bad and total events over its base window and averages longer windows from them, which a ratio alone does not allow',
        'write the SLI as sli.events with an error query and a total query',
      ),
    );
  }
  if (slo.plugins)
    diagnostics.push(
      error(
        file,
        [...path, 'plugins'],
        'sloth/unsupported-plugin',
        'Sloth SLO plugins are Go code Sloth runs while generating; obsgen cannot run them',
      ),
    );
  const events = slo.sli.events;
  if (!events) {
    if (!slo.sli.plugin && !slo.sli.raw)
      diagnostics.push(error(file, [...path, 'sli'], 'sloth/required', 'an SLI needs events, raw or plugin'));
    return { diagnostics, notes };
  }
  const report = (f: string, p: Path, code: string, message: string, hint?: string) =>
    diagnostics.push(error(f, p, code.replace(/^openslo\//, 'sloth/'), message, hint));
  const bad = checkedSource(
    { query: events.error_query, file, path: [...path, 'sli', 'events', name('error_query', 'errorQuery')] },
    report,
    options.environments,
  );
  const total = checkedSource(
    { query: events.total_query, file, path: [...path, 'sli', 'events', name('total_query', 'totalQuery')] },
    report,
    options.environments,
  );
  if (!bad || !total || diagnostics.length > 0) return { diagnostics, notes };

  const alerting = slo.alerting;
  const labels: Record<string, string> = {};
  const labelSources: [Path, Readonly<Record<string, string>> | undefined][] = [
    [['labels'], spec.labels],
    [[...path, 'labels'], slo.labels],
    [[...path, 'alerting', 'labels'], alerting?.labels],
  ];
  for (const [at, set] of labelSources)
    for (const [key, value] of Object.entries(set ?? {})) {
      if (OWN_LABELS.has(key)) {
        diagnostics.push(
          warning(
            file,
            [...at, key],
            'sloth/label-dropped',
            `label ${key}=${JSON.stringify(value)} is dropped: obsgen sets ${key} on its SLO alerts itself`,
          ),
        );
        continue;
      }
      labels[key] = value;
    }
  const annotations: Record<string, string> = { ...(alerting?.annotations ?? {}) };
  const runbook = annotations.runbook ?? annotations.runbook_url;
  delete annotations.runbook;
  delete annotations.runbook_url;
  // obsgen writes its own summary and description (the rule conventions check wants them static).
  for (const own of ['summary', 'description', 'title'])
    if (annotations[own] !== undefined) {
      diagnostics.push(
        warning(
          file,
          [...path, 'alerting', 'annotations', own],
          'sloth/annotation-dropped',
          `annotation ${own} is replaced by obsgen's own ${own === 'title' ? 'summary' : own}`,
        ),
      );
      delete annotations[own];
    }
  const tierWord = { page: name('page_alert', 'pageAlert'), ticket: name('ticket_alert', 'ticketAlert') };
  for (const tier of ['page', 'ticket'] as const) {
    const t = tier === 'page' ? alerting?.page_alert : alerting?.ticket_alert;
    if (t?.disable) continue;
    const extra = { ...(t?.labels ?? {}), ...(t?.annotations ?? {}) };
    if (Object.keys(extra).length > 0)
      diagnostics.push(
        warning(
          file,
          [...path, 'alerting', tierWord[tier]],
          'sloth/tier-labels-dropped',
          `labels and annotations of the ${tier} alert only (${Object.keys(extra).sort().join(', ')}) are dropped: obsgen routes on severity ${tier === 'page' ? 'critical' : 'warning'}; write per-tier routing in the environment's alert routing`,
        ),
      );
  }
  if (alerting?.name)
    notes.push(`Sloth alert ${alerting.name} is ${burnAlertName(slo.name)} here (one rule per window pair).`);
  const options_: { -readonly [K in keyof SloAlerting]: SloAlerting[K] } = {};
  if (alerting?.page_alert?.disable) options_.page = false;
  if (alerting?.ticket_alert?.disable) options_.ticket = false;
  if (Object.keys(labels).length > 0) options_.labels = labels;
  if (Object.keys(annotations).length > 0) options_.annotations = annotations;
  if (runbook !== undefined) options_.runbookUrl = runbook;
  // Sloth has no no-data alert; obsgen's stays on (absent SLI series are worth a warning).
  return {
    diagnostics,
    notes,
    slo: defineSlo({
      id: slo.name,
      description: slo.description?.trim() || `${slo.name} of ${spec.service}.`,
      objective: fractionOfPercent(slo.objective),
      period: '30d',
      sli: rawSli({ bad: bad.query.trim(), total: total.query.trim() }),
      ...(Object.keys(options_).length > 0 ? { alerting: options_ } : {}),
    }),
  };
}

function issueDiagnostic(file: string, at: Path, issue: z.core.$ZodIssue): Diagnostic {
  const path = [...at, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
  if (issue.code === 'unrecognized_keys')
    return error(
      file,
      path,
      'sloth/unknown-field',
      `unknown field(s) ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`,
      'check the spelling against the Sloth spec; unknown fields are refused',
    );
  const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
  return error(
    file,
    path,
    missing ? 'sloth/required' : 'sloth/invalid',
    missing ? 'required field is missing' : issue.message,
  );
}
