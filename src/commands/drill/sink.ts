/**
 * The webhook sink of a drill: an HTTP server on 127.0.0.1 that Alertmanager's receivers post to,
 * one path per receiver name, recording who got which alerts when.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One alert of an Alertmanager webhook payload. */
export interface NotifiedAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
}

/** One notification as the sink received it. */
export interface Notification {
  /** When it arrived, milliseconds (the sink's clock). */
  readonly at: number;
  readonly receiver: string;
  /** The group's status. */
  readonly status: 'firing' | 'resolved';
  readonly alerts: readonly NotifiedAlert[];
}

export interface WebhookSink {
  /** `http://127.0.0.1:<port>`; receiver `x` posts to `<url>/x`. */
  readonly url: string;
  /** Every notification so far, in arrival order. */
  notifications(): readonly Notification[];
  stop(): Promise<void>;
}

interface Payload {
  readonly status?: string;
  readonly alerts?: readonly { readonly status?: string; readonly labels?: Record<string, string> }[];
}

/** Starts the sink; `now` is the clock in milliseconds. */
export async function startWebhookSink(now: () => number = Date.now): Promise<WebhookSink> {
  const received: Notification[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST') {
        response.writeHead(405).end();
        return;
      }
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Payload;
        const receiver = decodeURIComponent((request.url ?? '/').slice(1).split('?')[0] ?? '');
        received.push({
          at: now(),
          receiver,
          status: body.status === 'resolved' ? 'resolved' : 'firing',
          alerts: (body.alerts ?? []).map((a) => ({
            status: a.status === 'resolved' ? 'resolved' : 'firing',
            labels: { ...(a.labels ?? {}) },
          })),
        });
        response.writeHead(200).end();
      } catch {
        response.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    notifications: () => received,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
