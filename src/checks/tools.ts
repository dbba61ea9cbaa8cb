/** Running the real tools lint relies on (promtool, amtool), a few at a time. */
import { execFile } from 'node:child_process';

export interface ToolRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A tool lint needs is not installed: an internal error (exit 2), not a finding. */
export class ToolMissingError extends Error {
  constructor(readonly tool: string) {
    super(
      `${tool} is not installed (or not on PATH): run \`obsgen tools --install\` (Debian, Ubuntu) or install it yourself`,
    );
    this.name = 'ToolMissingError';
  }
}

/** Runs a command to completion; a non-zero exit is a result, a missing program an error. */
export function runTool(command: string, args: readonly string[], cwd?: string): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    execFile(command, [...args], { cwd, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve({ code: 0, stdout, stderr });
      const e = error as NodeJS.ErrnoException & { code?: number | string };
      if (e.code === 'ENOENT') return reject(new ToolMissingError(command));
      if (typeof e.code === 'number') return resolve({ code: e.code, stdout, stderr });
      reject(error);
    });
  });
}

/** Maps with at most `limit` calls in flight, results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
