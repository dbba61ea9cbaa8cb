// A worker thread building services for `generate` (see share-pool.ts): from the bundle the CLI
// started from (src/startup.js; the services arrive as data, no TypeScript to load), else through tsx.
import { importBundle } from './startup.js';

if (!(await importBundle('worker', { build: false }))) {
  (await import('tsx/esm/api')).register();
  await import('./share-worker-main.ts');
}
