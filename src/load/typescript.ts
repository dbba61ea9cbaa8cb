/**
 * Imports of the user's TypeScript (obsgen.config.ts, definition files). Under tsx or vitest they
 * just work; the bundled CLI (src/startup.js) starts without tsx, whose registration costs a fifth
 * of a second, and hands its registration here to run before the first such import: commands that
 * read no definitions (`--help`, `init`, `import`, `tools`) never pay for it.
 */
import { pathToFileURL } from 'node:url';

let pending: (() => Promise<void>) | undefined;
let ready: Promise<void> | undefined;

/** Sets what makes TypeScript importable, run once before the first import of a user's module. */
export function loadTypeScriptWith(register: () => Promise<void>): void {
  pending = register;
  ready = undefined;
}

/** Resolves once the user's TypeScript can be imported. */
function typeScriptReady(): Promise<void> {
  ready ??= pending ? pending() : Promise.resolve();
  return ready;
}

/** The exports of a user's module (absolute path, or a bundle of them), TypeScript loadable first. */
export async function importUserModule(file: string): Promise<Record<string, unknown>> {
  await typeScriptReady();
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}
