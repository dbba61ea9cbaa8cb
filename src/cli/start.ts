/**
 * The entry of the CLI's start-up bundle (src/startup.js): the bundle loads without running the
 * CLI, so bin.js can hand over how to load the user's TypeScript before the command starts.
 */
export { loadTypeScriptWith } from '../load/typescript.ts';

/** Runs the CLI on process.argv. */
export const runCli = (): Promise<unknown> => import('./main.ts');
