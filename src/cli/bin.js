#!/usr/bin/env node
// Runs the CLI from the cached bundle of obsgen's own code (src/startup.js), registering tsx only
// when a command first imports the user's TypeScript; without a usable bundle, through tsx alone.
import { importBundle } from '../startup.js';

const bundle = await importBundle('cli');
if (bundle) {
  bundle.loadTypeScriptWith(async () => {
    (await import('tsx/esm/api')).register();
  });
  await bundle.runCli();
} else {
  (await import('tsx/esm/api')).register();
  await import('./main.ts');
}
