// A worker thread building services for `generate` (see share-pool.ts); TypeScript through tsx,
// as the CLI runs.
import { register } from 'tsx/esm/api';

register();
await import('./share-worker-main.ts');
