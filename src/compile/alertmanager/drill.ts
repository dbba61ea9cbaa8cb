/**
 * Drill mode of the Alertmanager configuration, for `obsgen drill` only: every receiver becomes a
 * webhook to a local sink, one path per receiver name, so the sink records who got what. Routes,
 * inhibit rules, timing and time intervals stay as generated. Pure.
 */
import type { AlertmanagerConfig, AmReceiver } from './types.ts';

/** URL the sink receives a receiver's notifications at. */
export const sinkReceiverUrl = (sinkUrl: string, receiver: string): string =>
  `${sinkUrl.replace(/\/$/, '')}/${encodeURIComponent(receiver)}`;

/** The configuration with each receiver's integrations replaced by one webhook to the sink. */
export function toDrillAlertmanagerConfig(config: AlertmanagerConfig, sinkUrl: string): AlertmanagerConfig {
  return {
    ...config,
    receivers: config.receivers.map(
      (receiver): AmReceiver => ({
        name: receiver.name,
        webhook_configs: [{ url: sinkReceiverUrl(sinkUrl, receiver.name), send_resolved: true }],
      }),
    ),
  };
}
