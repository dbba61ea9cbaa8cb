/**
 * OpenSLO SLOs grouped into the model's service definitions by `spec.service`, each validated as
 * a TypeScript definition would be. A Service object of that name is optional; OpenSLO has no
 * environments, so every service gets the environments it is given.
 */

import type { LoadedService } from '../../../load/loaded.ts';
import type { Diagnostic } from '../../../model/diagnostic.ts';
import { defineMetrics, type MetricContract, type MetricSpec } from '../../../model/metrics.ts';
import { defineService, type Environment } from '../../../model/service.ts';
import type { Slo } from '../../../model/slo.ts';
import { validateService } from '../../../validate/service.ts';
import { type ServiceContext, unannotatedService } from './annotations.ts';
import { atOrigin, type FileReport, objectPath, type SloOrigin } from './diagnostics.ts';
import type { Indicator } from './indicator.ts';
import type { OpenSloObject } from './objects.ts';
import { metricsRead } from './query-rewrite.ts';
import type { ObjectSet } from './references.ts';
import { DNS_LABEL } from './schema.ts';
import { slosV1 } from './v1-slo.ts';
import { slosV1alpha } from './v1alpha-slo.ts';

export interface ServicesContext {
  readonly set: ObjectSet;
  /** Service objects by name. */
  readonly services: ReadonlyMap<string, ServiceContext>;
  /** Indicators of the set's SLI objects by name; undefined for one that did not convert. */
  readonly indicators: ReadonlyMap<string, Indicator | undefined>;
  readonly report: FileReport;
  /** Changes made on the way (a calendar window compiled as rolling). */
  readonly warn: FileReport;
  readonly environments: readonly Environment[];
}

const byName = <T>([a]: [string, T], [b]: [string, T]): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The services the set's SLOs define, sorted by name; conversion problems are reported, the
 * model's diagnostics of a service that does not validate are returned at their OpenSLO fields.
 */
export function loadedServices(ctx: ServicesContext): {
  services: LoadedService[];
  diagnostics: Diagnostic[];
} {
  const { report } = ctx;
  const serviceOf = (name: string) => ctx.services.get(name) ?? unannotatedService(name);
  const slosByService = new Map<
    string,
    { slos: Slo[]; origins: Map<string, SloOrigin>; first: OpenSloObject }
  >();
  for (const object of ctx.set.objects) {
    if (object.kind !== 'SLO') continue;
    const name = object.spec.service;
    if (!DNS_LABEL.test(name)) {
      report(
        object.file,
        [objectPath(object.index), 'spec', 'service'],
        'openslo/name',
        `service ${JSON.stringify(name)} is not a DNS-1123 label; obsgen uses it as the service label and in file names`,
      );
      continue;
    }
    const service = serviceOf(name);
    const entry = slosByService.get(name) ?? {
      slos: [] as Slo[],
      origins: new Map<string, SloOrigin>(),
      first: object,
    };
    slosByService.set(name, entry);
    const converted =
      object.apiVersion === 'openslo/v1'
        ? slosV1(object, service, ctx)
        : slosV1alpha(object, service, report, ctx.environments, ctx.warn);
    for (const { slo, origin } of converted) {
      entry.slos.push(slo);
      entry.origins.set(slo.id, origin);
    }
  }

  const services: LoadedService[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const [name, entry] of [...slosByService].sort(byName)) {
    if (entry.slos.length === 0) continue;
    const service = serviceOf(name);
    const origin = service.object ?? entry.first;
    const value = defineService({
      name,
      team: service.team,
      ...(service.description ? { description: service.description } : {}),
      environments: ctx.environments,
      metrics: service.contract ?? inferredContract(entry.slos),
      slos: entry.slos,
      ...(service.scrapeInterval ? { scrapeInterval: service.scrapeInterval } : {}),
      ...(service.evaluationInterval ? { evaluationInterval: service.evaluationInterval } : {}),
    });
    const item: LoadedService = {
      file: origin.file,
      exportName: `OpenSLO ${objectPath(origin.index)}`,
      value,
    };
    const checked = validateService(item);
    if (checked.diagnostics.length > 0) {
      diagnostics.push(...checked.diagnostics.map((d) => atOrigin(d, entry.origins, origin)));
      continue;
    }
    services.push(item);
  }
  return { services, diagnostics };
}

/**
 * Without a declared contract, the contract lists what the queries read: each metric with the
 * labels they match on and the SLO's grouping labels (its queries keep them), a counter when read
 * through rate()/increase(), a gauge otherwise.
 */
export function inferredContract(
  slos: readonly Slo[],
  help = 'Read by the OpenSLO indicators of this service (type inferred from the queries).',
): MetricContract {
  const found = new Map<string, { rated: boolean; labels: Set<string> }>();
  for (const slo of slos) {
    if (slo.sli.kind !== 'raw') continue;
    for (const text of [slo.sli.bad, slo.sli.total])
      for (const m of metricsRead(text)) {
        const entry = found.get(m.name) ?? { rated: false, labels: new Set<string>() };
        entry.rated ||= m.rated;
        for (const l of [...m.labels, ...(slo.groupBy ?? [])]) if (l !== '__name__') entry.labels.add(l);
        found.set(m.name, entry);
      }
  }
  const specs: Record<string, MetricSpec> = {};
  for (const [name, entry] of [...found].sort(byName))
    specs[name] = {
      type: entry.rated ? 'counter' : 'gauge',
      labels: [...entry.labels].sort(),
      help,
    };
  return defineMetrics(specs);
}
