/**
 * The Kubernetes objects obsgen writes, typed by the fields it writes and nothing more: the
 * operator's CRDs (PrometheusRule monitoring.coreos.com/v1, AlertmanagerConfig
 * monitoring.coreos.com/v1alpha1) and a core v1 ConfigMap. Field names follow the CRD schemas;
 * the tests validate every generated object against those schemas, so a misspelt field here fails
 * there. Kept in the project rather than taken from a typed-model package because the packages
 * that carry these types require a newer Node than obsgen supports, and only the types were used.
 */

/** metadata of a namespaced object. */
export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

/** A rule of a PrometheusRule group: the fields of a Prometheus rule file. */
export interface PrometheusRuleRule {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly keep_firing_for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

export interface PrometheusRuleGroup {
  readonly name: string;
  readonly interval?: string;
  readonly limit?: number;
  readonly rules: readonly PrometheusRuleRule[];
}

/** monitoring.coreos.com/v1 PrometheusRule. */
export interface PrometheusRuleObject {
  readonly apiVersion: 'monitoring.coreos.com/v1';
  readonly kind: 'PrometheusRule';
  readonly metadata: ObjectMeta;
  readonly spec: { readonly groups: readonly PrometheusRuleGroup[] };
}

/** core v1 ConfigMap. */
export interface ConfigMapObject {
  readonly apiVersion: 'v1';
  readonly kind: 'ConfigMap';
  readonly metadata: ObjectMeta;
  readonly data: Record<string, string>;
}

/** A reference to a key of a Secret in the AlertmanagerConfig's namespace. */
export interface SecretKeySelector {
  readonly name: string;
  readonly key: string;
}

export interface Matcher {
  readonly name: string;
  readonly value: string;
  readonly matchType: '=' | '!=' | '=~' | '!~';
}

export interface Route {
  readonly receiver: string;
  readonly matchers?: Matcher[];
  readonly groupBy?: string[];
  readonly groupWait?: string;
  readonly groupInterval?: string;
  readonly repeatInterval?: string;
  readonly continue?: boolean;
  readonly muteTimeIntervals?: string[];
  readonly activeTimeIntervals?: string[];
  readonly routes?: Route[];
}

export interface InhibitRule {
  readonly sourceMatch: Matcher[];
  readonly targetMatch: Matcher[];
  readonly equal: string[];
}

export interface KeyValue {
  readonly key: string;
  readonly value: string;
}

export interface SlackConfig {
  readonly apiURL: SecretKeySelector;
  readonly channel: string;
  readonly sendResolved: boolean;
  readonly title: string;
  readonly text: string;
  readonly color: string;
}

export interface PagerDutyConfig {
  readonly routingKey: SecretKeySelector;
  readonly sendResolved: boolean;
  readonly description: string;
  readonly details: KeyValue[];
}

export interface EmailConfig {
  readonly to: string;
  readonly sendResolved: boolean;
  readonly smarthost?: string;
  readonly from?: string;
  readonly authUsername?: string;
  readonly authPassword?: SecretKeySelector;
  readonly requireTLS?: boolean;
  readonly headers: KeyValue[];
  readonly html: string;
}

export interface WebhookConfig {
  readonly url: string;
  readonly sendResolved: boolean;
  readonly httpConfig?: {
    readonly authorization: { readonly type: string; readonly credentials: SecretKeySelector };
  };
}

export interface Receiver {
  readonly name: string;
  readonly emailConfigs?: EmailConfig[];
  readonly pagerdutyConfigs?: PagerDutyConfig[];
  readonly slackConfigs?: SlackConfig[];
  readonly webhookConfigs?: WebhookConfig[];
}

export interface TimeRange {
  readonly weekdays?: string[];
  readonly times?: { readonly startTime: string; readonly endTime: string }[];
  readonly daysOfMonth?: { readonly start: number; readonly end: number }[];
  readonly months?: string[];
}

export interface MuteTimeInterval {
  readonly name: string;
  readonly timeIntervals: TimeRange[];
}

/** monitoring.coreos.com/v1alpha1 AlertmanagerConfig. */
export interface AlertmanagerConfigObject {
  readonly apiVersion: 'monitoring.coreos.com/v1alpha1';
  readonly kind: 'AlertmanagerConfig';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly route: Route;
    readonly receivers: Receiver[];
    readonly inhibitRules: InhibitRule[];
    readonly muteTimeIntervals?: MuteTimeInterval[];
  };
}

/** A metric of an Argo Rollouts analysis with the Prometheus provider. */
export interface AnalysisMetric {
  readonly name: string;
  /** Time between measurements (`30s`). */
  readonly interval: string;
  /** Measurements in all. */
  readonly count: number;
  readonly successCondition: string;
  readonly failureCondition: string;
  /** Failed measurements tolerated before the analysis fails. */
  readonly failureLimit: number;
  readonly provider: { readonly prometheus: { readonly address: string; readonly query: string } };
}

/** argoproj.io/v1alpha1 AnalysisTemplate. */
export interface AnalysisTemplateObject {
  readonly apiVersion: 'argoproj.io/v1alpha1';
  readonly kind: 'AnalysisTemplate';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly args: readonly { readonly name: string; readonly value?: string }[];
    readonly metrics: readonly AnalysisMetric[];
  };
}

/** flagger.app/v1beta1 MetricTemplate. */
export interface MetricTemplateObject {
  readonly apiVersion: 'flagger.app/v1beta1';
  readonly kind: 'MetricTemplate';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly provider: { readonly type: 'prometheus'; readonly address: string };
    readonly query: string;
  };
}
