/**
 * The zod schemas of src/validate/ and the authoring interfaces of src/model/ describe one shape.
 * shapeOf() binds each schema to its interface, so a field added to one and not the other fails
 * `npm run typecheck`; these tests state that for every definition type and show what the binding
 * refuses. Type assertions are checked by tsc; the runtime assertions show the fields the schemas
 * deliberately leave to later checks.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type { ALERT_KIND, AlertSpec, ExampleSeries } from '../src/model/alert.ts';
import type { BusinessPanel, DASHBOARDS_KIND, DashboardsSpec } from '../src/model/dashboards.ts';
import type { KubernetesSpec } from '../src/model/kubernetes.ts';
import type { Matchers, Metric, Selector } from '../src/model/metrics.ts';
import type {
  AlertRouting,
  AlertRoutingSpec,
  EmailReceiverSpec,
  PagerDutyReceiverSpec,
  ReceiverSpec,
  SlackReceiverSpec,
  WebhookReceiverSpec,
} from '../src/model/routing.ts';
import type { EnvironmentSpec, SERVICE_KIND, ServiceSpec } from '../src/model/service.ts';
import type {
  FreshnessSli,
  LatencySli,
  ProbeSli,
  RatioSli,
  RawSli,
  Sli,
  SloSpec,
  ThresholdSli,
} from '../src/model/slo.ts';
import type { Duration } from '../src/model/units.ts';
import type { alertSchemas } from '../src/validate/alerts.ts';
import type { dashboardSchemas } from '../src/validate/dashboards.ts';
import { kubernetesSchema } from '../src/validate/kubernetes.ts';
import { routingSchemas } from '../src/validate/routing.ts';
import { serviceSchemas } from '../src/validate/service.ts';
import { checkedElsewhere, type Normalized, type Same, shapeOf } from '../src/validate/shape.ts';

/** What a schema accepts, in the form shapeOf() compares. */
type Accepted<S extends z.ZodType> = Normalized<z.input<S>>;

describe('each schema accepts exactly its authoring interface', () => {
  it('service, environment, SLO, SLI kinds, metric contract', () => {
    expectTypeOf<Accepted<typeof serviceSchemas.service>>().toEqualTypeOf<
      Normalized<ServiceSpec & { readonly kind: typeof SERVICE_KIND }>
    >();
    expectTypeOf<Accepted<typeof serviceSchemas.environment>>().toEqualTypeOf<Normalized<EnvironmentSpec>>();
    expectTypeOf<Accepted<typeof serviceSchemas.slo>>().toEqualTypeOf<Normalized<SloSpec>>();
    expectTypeOf<Accepted<typeof serviceSchemas.sli.ratio>>().toEqualTypeOf<Normalized<RatioSli>>();
    expectTypeOf<Accepted<typeof serviceSchemas.sli.latency>>().toEqualTypeOf<Normalized<LatencySli>>();
    expectTypeOf<Accepted<typeof serviceSchemas.sli.probe>>().toEqualTypeOf<Normalized<ProbeSli>>();
    expectTypeOf<Accepted<typeof serviceSchemas.sli.freshness>>().toEqualTypeOf<Normalized<FreshnessSli>>();
    expectTypeOf<Accepted<typeof serviceSchemas.sli.threshold>>().toEqualTypeOf<Normalized<ThresholdSli>>();
    expectTypeOf<Accepted<typeof serviceSchemas.sli.raw>>().toEqualTypeOf<Normalized<RawSli>>();
    expectTypeOf<keyof typeof serviceSchemas.sli>().toEqualTypeOf<Sli['kind']>();
    expectTypeOf<Accepted<typeof serviceSchemas.metric>>().toEqualTypeOf<Normalized<Metric>>();
    expectTypeOf<Accepted<typeof serviceSchemas.selector>>().toEqualTypeOf<Normalized<Selector>>();
    expectTypeOf<Accepted<typeof serviceSchemas.matchers>>().toEqualTypeOf<Normalized<Matchers>>();
  });

  it('alert catalog', () => {
    expectTypeOf<Accepted<typeof alertSchemas.alert>>().toEqualTypeOf<
      Normalized<AlertSpec & { readonly kind: typeof ALERT_KIND }>
    >();
    expectTypeOf<Accepted<typeof alertSchemas.exampleSeries>>().toEqualTypeOf<Normalized<ExampleSeries>>();
  });

  it('dashboards', () => {
    expectTypeOf<Accepted<typeof dashboardSchemas.dashboards>>().toEqualTypeOf<
      Normalized<DashboardsSpec & { readonly kind: typeof DASHBOARDS_KIND }>
    >();
    expectTypeOf<Accepted<typeof dashboardSchemas.panel>>().toEqualTypeOf<Normalized<BusinessPanel>>();
  });

  it('alert routing, receivers, Kubernetes settings', () => {
    expectTypeOf<Accepted<typeof routingSchemas.routing>>().toEqualTypeOf<Normalized<AlertRoutingSpec>>();
    expectTypeOf<Accepted<typeof routingSchemas.receivers.pagerduty>>().toEqualTypeOf<
      Normalized<PagerDutyReceiverSpec>
    >();
    expectTypeOf<Accepted<typeof routingSchemas.receivers.slack>>().toEqualTypeOf<
      Normalized<SlackReceiverSpec>
    >();
    expectTypeOf<Accepted<typeof routingSchemas.receivers.email>>().toEqualTypeOf<
      Normalized<EmailReceiverSpec>
    >();
    expectTypeOf<Accepted<typeof routingSchemas.receivers.webhook>>().toEqualTypeOf<
      Normalized<WebhookReceiverSpec>
    >();
    expectTypeOf<keyof typeof routingSchemas.receivers>().toEqualTypeOf<ReceiverSpec['type']>();
    expectTypeOf<Accepted<typeof kubernetesSchema>>().toEqualTypeOf<Normalized<KubernetesSpec>>();
  });
});

describe('the binding refuses a schema that drifted from its interface', () => {
  interface Spec {
    readonly name: string;
    /** @default 3 */
    readonly retries?: number;
  }

  it('at compile time, naming the field', () => {
    const matching = shapeOf<Spec>()(z.strictObject({ name: z.string(), retries: z.number().optional() }));
    expect(matching.safeParse({ name: 'a' }).success).toBe(true);

    // @ts-expect-error a field of the interface the schema lacks (even an optional one)
    shapeOf<Spec>()(z.strictObject({ name: z.string() }));
    // @ts-expect-error a field of the schema the interface lacks
    shapeOf<Spec>()(z.strictObject({ name: z.string(), retries: z.number().optional(), extra: z.string() }));
    // @ts-expect-error optional in the interface, required in the schema
    shapeOf<Spec>()(z.strictObject({ name: z.string(), retries: z.number() }));
    // @ts-expect-error another type
    shapeOf<Spec>()(z.strictObject({ name: z.string(), retries: z.string().optional() }));
    // @ts-expect-error a schema that is looser than a field's type must say so with checkedElsewhere
    shapeOf<{ readonly period: Duration }>()(z.strictObject({ period: z.string() }));
    // @ts-expect-error checkedElsewhere still refuses a schema that rejects values of the type
    checkedElsewhere<string>()(z.number());
  });

  it('tells which fields differ', () => {
    type Drifted = Same<Normalized<Spec>, Normalized<{ readonly name: string }>>;
    expectTypeOf<Drifted>().toEqualTypeOf<false>();
  });
});

describe('fields the schemas leave to later checks', () => {
  const environment = {
    name: 'staging',
    namespace: 'shop',
    runbookBaseUrl: 'https://runbooks.example.com',
    grafanaBaseUrl: 'https://grafana.example.com',
  };

  it('are typed as their interface in the binding', () => {
    expectTypeOf<z.input<typeof serviceSchemas.environment>['kubernetes']>().toEqualTypeOf<
      KubernetesSpec | undefined
    >();
    expectTypeOf<z.input<typeof serviceSchemas.environment>['alerting']>().toEqualTypeOf<
      AlertRouting | undefined
    >();
    expectTypeOf<z.input<typeof serviceSchemas.slo>['sli']>().toEqualTypeOf<Sli>();
  });

  it('pass the schema whatever they hold, for validateKubernetes and validateRouting to name', () => {
    const odd = { ...environment, kubernetes: { dashboardFolder: 7 }, alerting: 'pagerduty' };
    expect(serviceSchemas.environment.safeParse(odd).success).toBe(true);
    expect(kubernetesSchema.safeParse(odd.kubernetes).success).toBe(false);
    expect(routingSchemas.routing.safeParse(odd.alerting).success).toBe(false);
  });

  it('durations pass as any text, for checkDuration to parse', () => {
    const slo = {
      id: 'errors',
      description: 'Requests do not fail.',
      objective: 0.99,
      period: '30x',
      sli: { kind: 'raw', bad: 'x', total: 'y' },
    };
    expect(serviceSchemas.slo.safeParse(slo).success).toBe(true);
  });
});
