/**
 * Content hashes for incremental `generate`: of text (a generated file), of a value (a resolved
 * service, an Alertmanager configuration), and of obsgen itself (its source files), so a cached
 * result is reused only for exactly the inputs and the code that produced it.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** SHA-256 of a text, hex. */
export const hashText = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * A canonical text of a value: object keys sorted, and what JSON drops or confuses kept apart
 * (undefined, functions by their source, regular expressions, Maps, Sets, non-finite numbers), so
 * two values have the same text only when every output could be the same.
 */
export function stableText(value: unknown): string {
  const parts: string[] = [];
  const stack = new Set<unknown>();
  const walk = (v: unknown): void => {
    if (v === null) parts.push('null');
    else if (v === undefined) parts.push('~u');
    else if (typeof v === 'string') parts.push(JSON.stringify(v));
    else if (typeof v === 'number') parts.push(Number.isFinite(v) ? String(v) : `~n${String(v)}`);
    else if (typeof v === 'boolean') parts.push(String(v));
    else if (typeof v === 'bigint') parts.push(`~b${v}`);
    else if (typeof v === 'function') parts.push(`~f${JSON.stringify(v.toString())}`);
    else if (typeof v === 'symbol') parts.push(`~s${JSON.stringify(v.description ?? '')}`);
    else if (v instanceof RegExp) parts.push(`~r${JSON.stringify(`${v.source}/${v.flags}`)}`);
    else if (v instanceof Date) parts.push(`~d${v.getTime()}`);
    else if (stack.has(v)) parts.push('~cycle');
    else {
      stack.add(v);
      if (Array.isArray(v)) {
        parts.push('[');
        for (const item of v) {
          walk(item);
          parts.push(',');
        }
        parts.push(']');
      } else if (v instanceof Map) {
        parts.push('~m[');
        for (const [k, item] of v) {
          walk(k);
          parts.push(':');
          walk(item);
          parts.push(',');
        }
        parts.push(']');
      } else if (v instanceof Set) {
        parts.push('~set[');
        for (const item of v) {
          walk(item);
          parts.push(',');
        }
        parts.push(']');
      } else {
        parts.push('{');
        for (const key of Object.keys(v as object).sort()) {
          parts.push(JSON.stringify(key), ':');
          walk((v as Record<string, unknown>)[key]);
          parts.push(',');
        }
        parts.push('}');
      }
      stack.delete(v);
    }
  };
  walk(value);
  return parts.join('');
}

/** SHA-256 of a value's canonical text, hex. */
export const hashValue = (value: unknown): string => hashText(stableText(value));

/** The folder of this obsgen (holding src/ and package.json). */
const OBSGEN_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

let own: Promise<string> | undefined;

/**
 * A hash of obsgen's own code: package.json and every file under src/ and templates/. A version
 * number alone would let a changed checkout reuse what an older one produced.
 */
export function obsgenFingerprint(): Promise<string> {
  own ??= (async () => {
    const hash = createHash('sha256');
    const files: string[] = [join(OBSGEN_ROOT, 'package.json')];
    for (const dir of ['src', 'templates']) {
      const entries = await readdir(join(OBSGEN_ROOT, dir), { withFileTypes: true, recursive: true }).catch(
        () => [],
      );
      for (const e of entries) if (e.isFile()) files.push(join(e.parentPath, e.name));
    }
    for (const file of files.sort()) {
      hash.update(relative(OBSGEN_ROOT, file).split(sep).join('/'));
      hash.update('\0');
      hash.update(await readFile(file));
      hash.update('\0');
    }
    return hash.digest('hex');
  })();
  return own;
}
