/**
 * A block-style YAML writer for plain data (objects, arrays, strings, finite numbers, booleans,
 * null), about ten times faster than building a `yaml` Document: a fleet of a thousand services
 * writes 80 MB of rules, and the library spends seconds on it. Its output is checked against the
 * `yaml` parser (YAML 1.1 and 1.2) by property tests: every value reads back equal.
 *
 * Scalars are plain only when no YAML 1.1 or 1.2 reader could take them for anything but that
 * string (`on`, `no`, `y`, `1e3`, `0x1F`, `010`, `1:20`, `2024-01-01`, `~`, `=` are quoted);
 * multi-line strings are literal blocks; anything else is a double-quoted JSON string, which is a
 * valid YAML double-quoted scalar.
 */

/** Words YAML 1.1 resolves to booleans or null, or that have a special meaning (`<<`, `=`). */
const SPECIAL_WORDS = new Set(
  [
    'y',
    'yes',
    'n',
    'no',
    'true',
    'false',
    'on',
    'off',
    'null',
    '~',
    '<<',
    '=',
    '.inf',
    '-.inf',
    '+.inf',
    '.nan',
  ].flatMap((w) => [w, w.toUpperCase(), w.charAt(0).toUpperCase() + w.slice(1)]),
);

const LONGEST_SPECIAL_WORD = Math.max(...[...SPECIAL_WORDS].map((w) => w.length));

/** Text without Unicode breaks or BOMs; matched whole, which is faster than finding one. */
const NO_BREAKS = /^[^\u0085\u2028\u2029\ufeff]*$/;

/** A Prometheus duration: digits and unit letters only. */
const DURATION = /^([0-9]+(ms|s|m|h|d|w|y))+$/;
/** Characters a plain scalar may not start with. */
const INDICATOR_START = /^[-?:,[\]{}#&*!|>'"%@`\s]/;
/** A plain scalar made only of these is safe unless it looks like a number, date or special word. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what must be quoted
const PLAIN_SAFE = /^[^\s\x00-\x1f\x7f"'#`][^\x00-\x1f\x7f]*$/;

// Keys, label names and values, durations: a fleet's files repeat the same short strings
// millions of times, so the verdict on a short string is kept (bounded, cleared when full).
const PLAIN_KEPT_LENGTH = 64;
const PLAIN_KEPT_MAX = 100_000;
const plainVerdicts = new Map<string, boolean>();

function isPlainSafe(text: string): boolean {
  if (text.length > PLAIN_KEPT_LENGTH) return plainSafe(text);
  let verdict = plainVerdicts.get(text);
  if (verdict === undefined) {
    if (plainVerdicts.size >= PLAIN_KEPT_MAX) plainVerdicts.clear();
    verdict = plainSafe(text);
    plainVerdicts.set(text, verdict);
  }
  return verdict;
}

function plainSafe(text: string): boolean {
  // Long texts are never special words: not hashed (a fleet's expressions are megabytes).
  if (text === '' || (text.length <= LONGEST_SPECIAL_WORD && SPECIAL_WORDS.has(text))) return false;
  if (INDICATOR_START.test(text) || !PLAIN_SAFE.test(text)) return false;
  // The last character alone: `/\s$/` would try every space of a long expression.
  if (
    /\s/.test(text.charAt(text.length - 1)) ||
    text.includes(': ') ||
    text.includes(' #') ||
    text.endsWith(':')
  )
    return false;
  // Numbers in any YAML 1.1/1.2 spelling (signs, dots, 0x, 0o, 0b, underscores, sexagesimal,
  // exponents) and timestamps all start with a digit, a sign or a dot followed by one. Of those,
  // durations (`30s`, `2m`) stay plain: no YAML type reads digits and unit letters; so do texts
  // with a space (`1 - x`), which no number has, unless they start like a date (`2024-01-01 10:00`).
  if (/^[-+.]?[0-9]/.test(text))
    return DURATION.test(text) || (text.includes(' ') && !/^[0-9]{4}-/.test(text));
  // `.`, `-.`, `._` and `E0`: some YAML 1.1 float patterns need no digit before the exponent.
  if (/^[-+]?\.(inf|nan)$/i.test(text) || /^[-+]?[0-9_]*\.?[0-9_.]*([eE][-+]?[0-9]+)?$/.test(text))
    return false;
  // Unicode line and paragraph separators and BOMs read as breaks or are dropped by some readers.
  return NO_BREAKS.test(text);
}

const quoted = (text: string): string =>
  JSON.stringify(text).replace(
    /[\u0085\u2028\u2029\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

/**
 * Text with no character a literal block cannot hold (control characters but tab and line feed,
 * Unicode breaks, BOM). Matched whole: twice as fast as searching for one of them.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what must be quoted
const LITERAL_SAFE = /^[^\x00-\x08\x0b-\x1f\x7f\u0085\u2028\u2029\ufeff\r]*$/;

/** Whether a multi-line string can be a literal block that reads back the same. */
function isLiteralSafe(text: string): boolean {
  if (!text.includes('\n') || !LITERAL_SAFE.test(text)) return false;
  // An empty first line, or leading spaces on it, would be taken for indentation; trailing spaces
  // on any line and a final run of empty lines would need chomping indicators we do not write.
  // Tested on the whole text: a dashboard's JSON in its ConfigMap is a thousand lines (and its
  // indentation so many spaces that `[ \t]\n` is three times slower to find than ` \n|\t\n`).
  return (
    !/^[\n \t]/.test(text) &&
    !/ \n|\t\n/.test(text) &&
    !text.endsWith(' ') &&
    !text.endsWith('\t') &&
    !text.endsWith('\n\n')
  );
}

/** The lines of a literal block's text after the first, indented; empty lines stay empty. */
const indentLines = (body: string, indent: string): string =>
  body.includes('\n\n') ? body.replace(/\n(?!\n)/g, `\n${indent}`) : body.replaceAll('\n', `\n${indent}`);

function scalar(text: string, indent: string): string {
  if (isPlainSafe(text)) return text;
  if (isLiteralSafe(text)) {
    // Every line but the empty ones indented; the first line is never empty, the last never ends
    // the text with a line break (at most one, the chomping indicator's).
    const chomp = text.endsWith('\n') ? '' : '-';
    const body = chomp === '' ? text.slice(0, -1) : text;
    return `|${chomp}\n${indent}${indentLines(body, indent)}`;
  }
  return quoted(text);
}

/** Number text every YAML 1.1 and 1.2 reader takes as that number (`1e-7` becomes `1.0e-7`). */
function numberText(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`cannot write ${value} to YAML`);
  if (Object.is(value, -0)) return '0';
  const text = String(value);
  if (!text.includes('e')) return text;
  const [mantissa = '', exponent = ''] = text.split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}e${exponent}`;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Inline text of a value that fits on its key's line, or undefined for a nested block. */
function inline(value: unknown, indent: string): string | undefined {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return scalar(value, indent);
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return value.length === 0 ? '[]' : undefined;
  if (isObject(value)) {
    for (const key of Object.keys(value)) if (value[key] !== undefined) return undefined;
    return '{}';
  }
  throw new Error(`cannot write a ${typeof value} to YAML`);
}

function writeMap(map: Record<string, unknown>, indent: string, out: string[], firstPrefix?: string): void {
  let first = true;
  const inner = `${indent}  `;
  // Keys, not entries: a pair array per key is most of what a fleet's render allocates.
  for (const key of Object.keys(map)) {
    const value = map[key];
    if (value === undefined) continue;
    const lead = first && firstPrefix !== undefined ? firstPrefix : indent;
    first = false;
    const head = `${lead}${isPlainSafe(key) ? key : quoted(key)}:`;
    const text = inline(value, inner);
    if (text !== undefined) out.push(`${head} ${text}`);
    else {
      out.push(head);
      writeBlock(value, inner, out);
    }
  }
}

function writeSeq(items: readonly unknown[], indent: string, out: string[]): void {
  const inner = `${indent}  `;
  const dash = `${indent}- `;
  for (const item of items) {
    const text = inline(item, inner);
    if (text !== undefined) out.push(`${dash}${text}`);
    else if (isObject(item)) writeMap(item, inner, out, dash);
    else {
      out.push(`${indent}-`);
      writeBlock(item, inner, out);
    }
  }
}

/**
 * A block (a non-empty sequence or mapping) whose text is known, written at `indent`. Every
 * indent the writer writes is made from the indent it is given, so the same block at a deeper
 * indent is that text with the difference before each line but the empty ones (of literal blocks).
 */
export interface KnownBlock {
  readonly text: string;
  readonly indent: string;
}

/** The known blocks of the `writeYaml` call under way. */
let knownBlock: ((block: object) => KnownBlock | undefined) | undefined;

function writeBlock(value: unknown, indent: string, out: string[]): void {
  const known = knownBlock && value !== null && typeof value === 'object' ? knownBlock(value) : undefined;
  if (known && indent.length >= known.indent.length) {
    const extra = indent.slice(known.indent.length);
    out.push(extra === '' ? known.text : `${extra}${indentLines(known.text, extra)}`);
  } else if (Array.isArray(value)) writeSeq(value, indent, out);
  else if (isObject(value)) writeMap(value, indent, out);
  else out.push(`${indent}${inline(value, indent)}`);
}

/**
 * YAML text of plain data, block style, two-space indent, ending with a newline. `known` gives
 * the text of blocks already written elsewhere (see `KnownBlock`).
 */
export function writeYaml(value: unknown, known?: (block: object) => KnownBlock | undefined): string {
  const outer = knownBlock;
  knownBlock = known;
  try {
    const out: string[] = [];
    const text = inline(value, '');
    if (text !== undefined) out.push(text);
    else writeBlock(value, '', out);
    return `${out.join('\n')}\n`;
  } finally {
    knownBlock = outer;
  }
}
