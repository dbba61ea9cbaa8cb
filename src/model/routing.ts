/**
 * Alert routing of an environment: receivers, the route tree, time intervals. Compiled into the
 * Alertmanager configuration. Secrets are never inline: receivers name files (mounted secrets)
 * that Alertmanager reads when it notifies.
 */
import type { RouteTiming } from '../conventions.ts';
import type { Duration } from './units.ts';

export type { RouteTiming } from '../conventions.ts';

/** PagerDuty Events API v2. Paging receiver: left out in environments with `paging: false`. */
export interface PagerDutyReceiverSpec {
  readonly type: 'pagerduty';
  /** Absolute path of the file holding the integration's routing key. */
  readonly routingKeyFile: string;
  /** Notify when the alert resolves. @default true */
  readonly sendResolved?: boolean;
}

/** Slack incoming webhook. */
export interface SlackReceiverSpec {
  readonly type: 'slack';
  /** Channel, with its `#`. */
  readonly channel: string;
  /** Absolute path of the file holding the webhook URL (the URL is the secret). */
  readonly apiUrlFile: string;
  /** Notify when the alert resolves. @default true */
  readonly sendResolved?: boolean;
}

/** Email through the SMTP server of the routing's `smtp` settings. */
export interface EmailReceiverSpec {
  readonly type: 'email';
  /** Recipient address. */
  readonly to: string;
  /** Notify when the alert resolves. @default false (a digest lists what is firing) */
  readonly sendResolved?: boolean;
}

/**
 * Generic webhook (a heartbeat monitor for the Watchdog). The URL must carry no secret: the
 * receiver authenticates with a bearer token read from `credentialsFile`.
 */
export interface WebhookReceiverSpec {
  readonly type: 'webhook';
  /** Endpoint; no credentials, tokens or query string in it. */
  readonly url: string;
  /** Absolute path of the file holding the bearer token. */
  readonly credentialsFile: string;
  /** Notify when the alert resolves. @default true */
  readonly sendResolved?: boolean;
}

export type ReceiverSpec =
  | PagerDutyReceiverSpec
  | SlackReceiverSpec
  | EmailReceiverSpec
  | WebhookReceiverSpec;

/** Alert label matcher of a route: equality, or `re()`, `ne()`, `nre()`. */
export type RouteMatcher =
  | string
  | { readonly re: string }
  | { readonly ne: string }
  | { readonly nre: string };

/** One branch of the route tree, tried in order. */
export interface RouteSpec {
  /** Alerts the route takes: every matcher must hold. */
  readonly match: Readonly<Record<string, RouteMatcher>>;
  /**
   * Receivers notified, in order. Paging receivers are dropped where the environment does not
   * page; a route left without receivers is dropped too.
   */
  readonly receivers: readonly string[];
  /** Keep trying later routes after this one matched. @default false */
  readonly continue?: boolean;
  /** Grouping and timing (`TIER_TIMING.critical`...). @default the routing's root timing */
  readonly timing?: RouteTiming;
  /** Time intervals during which the route does not notify. @default [] */
  readonly muteTimeIntervals?: readonly string[];
  /** Time intervals outside of which the route does not notify. @default [] */
  readonly activeTimeIntervals?: readonly string[];
}

/** One recurring time range of a time interval (Alertmanager `time_intervals` syntax). */
export interface TimeRangeSpec {
  /** `monday:friday`, `saturday`. @default every day */
  readonly weekdays?: readonly string[];
  /** Times of day, `HH:MM` 24h, end exclusive. @default all day */
  readonly times?: readonly { readonly start: string; readonly end: string }[];
  /** `1:7`, `-1` (last day). @default every day */
  readonly daysOfMonth?: readonly string[];
  /** `january:march`, `12`. @default every month */
  readonly months?: readonly string[];
}

/** Outgoing mail of email receivers. */
export interface SmtpSpec {
  /** `host:port` of the SMTP server. */
  readonly smarthost: string;
  /** Sender address. */
  readonly from: string;
  /** Login user. @default none (no authentication) */
  readonly authUsername?: string;
  /** Absolute path of the file holding the SMTP password. */
  readonly authPasswordFile?: string;
  /** Require STARTTLS. @default true */
  readonly requireTls?: boolean;
}

/** How an environment's alerts reach people. */
export interface AlertRoutingSpec {
  /** Receivers by name (`slack-alerts`). */
  readonly receivers: Readonly<Record<string, ReceiverSpec>>;
  /** Routes in the order Alertmanager tries them. */
  readonly routes: readonly RouteSpec[];
  /** Receiver of alerts no route takes. */
  readonly defaultReceiver: string;
  /** Root grouping and timing, inherited by routes without their own. @default TIER_TIMING.default */
  readonly timing?: RouteTiming;
  /** Named time intervals routes can mute or limit themselves to. @default {} */
  readonly timeIntervals?: Readonly<Record<string, readonly TimeRangeSpec[]>>;
  /** IANA time zone of the time intervals. @default 'UTC' */
  readonly timeZone?: string;
  /** SMTP settings; required when an email receiver exists. */
  readonly smtp?: SmtpSpec;
  /** Alertmanager `resolve_timeout`. @default '5m' */
  readonly resolveTimeout?: Duration;
}

export type AlertRouting = Readonly<AlertRoutingSpec>;

/** Declares alert routing; environments reference it as `alerting`. */
export function defineAlertRouting<const R extends AlertRoutingSpec>(spec: R): R {
  return Object.freeze(spec);
}

/** Receivers that page a human; environments with `paging: false` never get them. */
export const isPagingReceiver = (receiver: ReceiverSpec): boolean => receiver.type === 'pagerduty';
