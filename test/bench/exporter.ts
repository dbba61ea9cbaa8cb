/**
 * A live scrape target on 127.0.0.1 serving the synthetic series at the current time, so the raw
 * series continue past the backfilled history while the rules are measured (a 5m `rate()` needs
 * fresh samples).
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import { exposition, type SynthFamily } from '../../src/synth/openmetrics.ts';

export interface Exporter {
  /** `127.0.0.1:<port>`, for a static scrape config. */
  readonly target: string;
  close(): Promise<void>;
}

export async function startExporter(families: readonly SynthFamily[]): Promise<Exporter> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(exposition(families, Date.now() / 1000));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    target: `127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close').catch(() => undefined);
    },
  };
}
