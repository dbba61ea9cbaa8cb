/**
 * Shapes of Sloth's two spec formats, strict (unknown fields are refused): the CLI spec
 * (`version: prometheus/v1`, snake_case) and the Kubernetes `PrometheusServiceLevel`
 * (`apiVersion: sloth.slok.dev/v1`, camelCase), both read into the CLI spelling.
 */
import { z } from 'zod';
import type { Path } from '../../model/diagnostic.ts';

// Sloth reads label values into strings: `tier: 2` and `generated: true` are "2" and "true".
const labels = z.record(
  z.string(),
  z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v)),
);
const plugin = z.strictObject({ id: z.string(), options: z.record(z.string(), z.unknown()).optional() });
const pluginChain = z.unknown();

const tier = z.strictObject({
  disable: z.boolean().optional(),
  labels: labels.optional(),
  annotations: labels.optional(),
});

function sloShape(camel: boolean) {
  const events = camel
    ? z.strictObject({ errorQuery: z.string().min(1), totalQuery: z.string().min(1) })
    : z.strictObject({ error_query: z.string().min(1), total_query: z.string().min(1) });
  const raw = camel
    ? z.strictObject({ errorRatioQuery: z.string().min(1) })
    : z.strictObject({ error_ratio_query: z.string().min(1) });
  const alerting = z.strictObject({
    name: z.string().optional(),
    labels: labels.optional(),
    annotations: labels.optional(),
    [camel ? 'pageAlert' : 'page_alert']: tier.optional(),
    [camel ? 'ticketAlert' : 'ticket_alert']: tier.optional(),
  });
  return z.strictObject({
    name: z.string().min(1),
    objective: z.number().gt(0).lt(100),
    description: z.string().optional(),
    labels: labels.optional(),
    sli: z.strictObject({ events: events.optional(), raw: raw.optional(), plugin: plugin.optional() }),
    alerting: alerting.optional(),
    plugins: pluginChain.optional(),
  });
}

const cliSpec = z.strictObject({
  version: z.literal('prometheus/v1'),
  service: z.string().min(1),
  labels: labels.optional(),
  slo_plugins: pluginChain.optional(),
  slos: z.array(sloShape(false)).min(1),
});

const k8sSpec = z.strictObject({
  apiVersion: z.literal('sloth.slok.dev/v1'),
  kind: z.literal('PrometheusServiceLevel'),
  metadata: z.looseObject({ name: z.string().optional(), namespace: z.string().optional() }),
  spec: z.strictObject({
    service: z.string().min(1),
    labels: labels.optional(),
    sloPlugins: pluginChain.optional(),
    slos: z.array(sloShape(true)).min(1),
  }),
});

export interface SlothTier {
  readonly disable?: boolean | undefined;
  readonly labels?: Readonly<Record<string, string>> | undefined;
  readonly annotations?: Readonly<Record<string, string>> | undefined;
}

/** One SLO, in the CLI spelling. */
export interface SlothSlo {
  readonly name: string;
  /** Percent (99.9). */
  readonly objective: number;
  readonly description?: string | undefined;
  readonly labels?: Readonly<Record<string, string>> | undefined;
  readonly sli: {
    readonly events?: { readonly error_query: string; readonly total_query: string } | undefined;
    readonly raw?: { readonly error_ratio_query: string } | undefined;
    readonly plugin?: { readonly id: string } | undefined;
  };
  readonly alerting?:
    | {
        readonly name?: string | undefined;
        readonly labels?: Readonly<Record<string, string>> | undefined;
        readonly annotations?: Readonly<Record<string, string>> | undefined;
        readonly page_alert?: SlothTier | undefined;
        readonly ticket_alert?: SlothTier | undefined;
      }
    | undefined;
  readonly plugins?: unknown;
}

export interface SlothSpec {
  readonly service: string;
  readonly labels?: Readonly<Record<string, string>> | undefined;
  readonly slo_plugins?: unknown;
  readonly slos: readonly SlothSlo[];
}

export type SlothParse =
  | { ok: true; spec: SlothSpec; camel: boolean; root: (at: string) => Path }
  | { ok: false; issues: z.core.$ZodIssue[]; root: (at: string) => Path };

type CamelSlo = z.infer<ReturnType<typeof sloShape>>;

/** A camelCase (Kubernetes) SLO in the CLI spelling. */
function fromCamel(slo: CamelSlo): SlothSlo {
  const s = slo as Record<string, unknown> & CamelSlo;
  const sli = s.sli as {
    events?: { errorQuery: string; totalQuery: string };
    raw?: { errorRatioQuery: string };
    plugin?: { id: string };
  };
  const alerting = s.alerting as
    | (Record<string, unknown> & { pageAlert?: SlothTier; ticketAlert?: SlothTier })
    | undefined;
  return {
    name: s.name,
    objective: s.objective,
    description: s.description,
    labels: s.labels,
    plugins: s.plugins,
    sli: {
      ...(sli.events
        ? { events: { error_query: sli.events.errorQuery, total_query: sli.events.totalQuery } }
        : {}),
      ...(sli.raw ? { raw: { error_ratio_query: sli.raw.errorRatioQuery } } : {}),
      ...(sli.plugin ? { plugin: sli.plugin } : {}),
    },
    ...(alerting
      ? {
          alerting: {
            name: alerting.name as string | undefined,
            labels: alerting.labels as Record<string, string> | undefined,
            annotations: alerting.annotations as Record<string, string> | undefined,
            page_alert: alerting.pageAlert,
            ticket_alert: alerting.ticketAlert,
          },
        }
      : {}),
  };
}

/** Whether a parsed YAML value looks like a Sloth document (either format). */
export const isSlothDocument = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  ((value as { version?: unknown }).version === 'prometheus/v1' ||
    (value as { apiVersion?: unknown }).apiVersion === 'sloth.slok.dev/v1');

/** The document in the CLI spelling, or the zod issues; `root` gives the path head of the SLO list's parent. */
export function slothDocument(value: unknown): SlothParse {
  const apiVersion = (value as { apiVersion?: unknown } | null)?.apiVersion;
  if (apiVersion !== undefined) {
    const root = (at: string): Path => [at, 'spec'];
    const parsed = k8sSpec.safeParse(value);
    if (!parsed.success) return { ok: false, issues: parsed.error.issues, root: (at) => [at] };
    const spec = parsed.data.spec;
    return {
      ok: true,
      camel: true,
      root,
      spec: {
        service: spec.service,
        labels: spec.labels,
        slo_plugins: spec.sloPlugins,
        slos: spec.slos.map(fromCamel),
      },
    };
  }
  const root = (at: string): Path => [at];
  const parsed = cliSpec.safeParse(value);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues, root };
  return { ok: true, camel: false, root, spec: parsed.data as unknown as SlothSpec };
}
