/**
 * A syntax check for Go `text/template` text as Prometheus reads it in alert annotations. Pure, so
 * validation can reject a template that Prometheus would refuse to load (or render as an error)
 * before anything is written. It follows the grammar of Go's template parser: actions, pipelines,
 * control structures, variables and the functions Prometheus 2.42 defines. Where Go defers an
 * error to rendering (an empty command after `|`, arguments given to a constant), this check
 * rejects it already: Prometheus would render an error text instead of the annotation.
 */

import type { RuleEngine } from '../model/service.ts';

/** Functions of Go templates plus those Prometheus adds for alert templates. */
export const PROMETHEUS_TEMPLATE_FUNCTIONS: ReadonlySet<string> = new Set([
  // Go text/template built-ins.
  'and',
  'call',
  'html',
  'index',
  'slice',
  'js',
  'len',
  'not',
  'or',
  'print',
  'printf',
  'println',
  'urlquery',
  'eq',
  'ge',
  'gt',
  'le',
  'lt',
  'ne',
  // Prometheus template functions.
  'query',
  'first',
  'label',
  'value',
  'strvalue',
  'args',
  'reReplaceAll',
  'safeHtml',
  'match',
  'title',
  'toUpper',
  'toLower',
  'graphLink',
  'tableLink',
  'sortByLabel',
  'humanize',
  'humanize1024',
  'humanizeDuration',
  'humanizePercentage',
  'humanizeTimestamp',
  'pathPrefix',
  'externalURL',
  'parseDuration',
  'toTime',
  'stripPort',
  'stripDomain',
]);

/**
 * The template functions each engine defines, as far as obsgen's annotations can use them (the
 * Prometheus set above, less what the engine lacks). vmalert's own template package has no
 * graphLink, tableLink or toTime: `vmalert -dryRun` (1.79, Debian) refuses a rule file using
 * them ("function ... not defined"), as its documentation's function list says. Thanos Ruler and
 * the Mimir (Cortex) ruler render annotations with Prometheus's template package.
 */
export const ENGINE_TEMPLATE_FUNCTIONS: Readonly<Record<RuleEngine, ReadonlySet<string>>> = {
  prometheus: PROMETHEUS_TEMPLATE_FUNCTIONS,
  vmalert: new Set(
    [...PROMETHEUS_TEMPLATE_FUNCTIONS].filter((f) => !['graphLink', 'tableLink', 'toTime'].includes(f)),
  ),
  'thanos-ruler': PROMETHEUS_TEMPLATE_FUNCTIONS,
  mimir: PROMETHEUS_TEMPLATE_FUNCTIONS,
};

/** Variables Prometheus defines before an annotation template runs. */
export const PROMETHEUS_TEMPLATE_VARIABLES: readonly string[] = [
  '$',
  '$labels',
  '$externalLabels',
  '$externalURL',
  '$value',
];

type Token =
  | { kind: 'string' | 'number' | 'bool' | 'nil'; text: string }
  | { kind: 'ident'; text: string }
  | { kind: 'variable'; text: string; fields: string }
  | { kind: 'field'; text: string }
  | { kind: 'pipe' | 'lparen' | 'rparen' | 'comma' | 'declare' | 'assign'; text: string };

/** A problem in a template: what is wrong and the action it is in. */
export interface TemplateProblem {
  readonly message: string;
  /** Zero-based offset of the action in the text. */
  readonly offset: number;
}

const KEYWORDS = new Set([
  'if',
  'else',
  'end',
  'range',
  'with',
  'define',
  'template',
  'block',
  'break',
  'continue',
]);
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;
const FIELD_CHAIN = /^(\.[A-Za-z_][A-Za-z0-9_]*)+/;
const NUMBER = /^[+-]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(\d[\d_]*)?\.?\d[\d_]*([eE][+-]?\d+)?i?)/;

class TemplateSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset?: number,
  ) {
    super(message);
  }
}

const fail = (message: string): never => {
  throw new TemplateSyntaxError(message);
};

const badNumber = (rest: string): never =>
  fail(`bad number syntax: ${JSON.stringify(/^[^\s|()]+/.exec(rest)?.[0] ?? rest)}`);

/** Tokens of one action's body (between the delimiters and trim markers). */
function lex(body: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < body.length) {
    const rest = body.slice(i);
    const c = body.charAt(i);
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < body.length && body[j] !== '"') {
        if (body[j] === '\n') fail('unterminated quoted string');
        j += body[j] === '\\' ? 2 : 1;
      }
      if (j >= body.length) fail('unterminated quoted string');
      tokens.push({ kind: 'string', text: body.slice(i, j + 1) });
      i = j + 1;
      continue;
    }
    if (c === '`') {
      const j = body.indexOf('`', i + 1);
      if (j < 0) fail('unterminated raw quoted string');
      tokens.push({ kind: 'string', text: body.slice(i, j + 1) });
      i = j + 1;
      continue;
    }
    if (c === "'") {
      const match = /^'(\\.|[^'\\\n])'/.exec(rest) ?? fail('unterminated character constant');
      tokens.push({ kind: 'number', text: match[0] });
      i += match[0].length;
      continue;
    }
    if (c === '|') {
      tokens.push({ kind: 'pipe', text: c });
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      tokens.push({ kind: c === '(' ? 'lparen' : 'rparen', text: c });
      i++;
      continue;
    }
    if (c === ',') {
      tokens.push({ kind: 'comma', text: c });
      i++;
      continue;
    }
    if (rest.startsWith(':=')) {
      tokens.push({ kind: 'declare', text: ':=' });
      i += 2;
      continue;
    }
    if (c === '=') {
      tokens.push({ kind: 'assign', text: c });
      i++;
      continue;
    }
    if (c === '$') {
      const name = IDENT.exec(rest.slice(1))?.[0] ?? '';
      const fields = FIELD_CHAIN.exec(rest.slice(1 + name.length))?.[0] ?? '';
      tokens.push({ kind: 'variable', text: `$${name}`, fields });
      i += 1 + name.length + fields.length;
      continue;
    }
    if (c === '.') {
      const fields = FIELD_CHAIN.exec(rest)?.[0];
      if (fields) {
        tokens.push({ kind: 'field', text: fields });
        i += fields.length;
      } else if (/^\.\d/.test(rest)) {
        const match = NUMBER.exec(rest) ?? badNumber(rest);
        tokens.push({ kind: 'number', text: match[0] });
        i += match[0].length;
      } else {
        tokens.push({ kind: 'field', text: '.' });
        i++;
      }
      continue;
    }
    if (/[0-9+-]/.test(c)) {
      const match = NUMBER.exec(rest);
      if (!match || match[0] === '' || /^[+-]$/.test(match[0])) badNumber(rest);
      const text = (match as RegExpExecArray)[0];
      if (IDENT.test(rest.slice(text.length))) badNumber(rest);
      tokens.push({ kind: 'number', text });
      i += text.length;
      continue;
    }
    const ident = IDENT.exec(rest);
    if (ident) {
      const word = ident[0];
      const kind = word === 'true' || word === 'false' ? 'bool' : word === 'nil' ? 'nil' : 'ident';
      tokens.push({ kind, text: word });
      i += word.length;
      // Go's parser rejects a field chain glued to an identifier (`humanize.x`).
      const chain = FIELD_CHAIN.exec(body.slice(i))?.[0];
      if (chain) fail(`unexpected ${JSON.stringify(chain)} after ${word}`);
      continue;
    }
    fail(`unexpected ${JSON.stringify(c)} in command`);
  }
  return tokens;
}

/** Parses one pipeline from `tokens[pos]`; returns the position after it. */
class PipelineParser {
  constructor(
    private readonly tokens: Token[],
    private readonly scope: Set<string>,
  ) {}

  private pos = 0;

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  done(): boolean {
    return this.pos >= this.tokens.length;
  }

  /** `[$x :=] command (| command)*`, stopping at `)` when nested. */
  pipeline(context: string, nested: boolean): void {
    this.declaration();
    this.command(context);
    while (this.peek()?.kind === 'pipe') {
      this.pos++;
      if (this.done() || this.peek()?.kind === 'rparen') fail('missing command after |');
      this.command(context);
    }
    if (!nested && !this.done()) fail(`unexpected ${JSON.stringify(this.peek()?.text)} in ${context}`);
  }

  private declaration(): void {
    const first = this.tokens[this.pos];
    const next = this.tokens[this.pos + 1];
    if (first?.kind !== 'variable' || first.fields !== '') return;
    if (next?.kind === 'declare' || next?.kind === 'assign') {
      if (next.kind === 'assign' && !this.scope.has(first.text)) fail(`undefined variable ${first.text}`);
      this.scope.add(first.text);
      this.pos += 2;
      return;
    }
    const third = this.tokens[this.pos + 2];
    const fourth = this.tokens[this.pos + 3];
    // range $i, $v := pipeline
    if (next?.kind === 'comma' && third?.kind === 'variable' && fourth?.kind === 'declare') {
      this.scope.add(first.text);
      this.scope.add(third.text);
      this.pos += 4;
    }
  }

  /** One command: operands until `|`, `)` or the end. */
  private command(context: string): void {
    let operands = 0;
    let callable = false;
    while (!this.done()) {
      const t = this.peek() as Token;
      if (t.kind === 'pipe' || t.kind === 'rparen') break;
      if (operands === 1 && !callable)
        fail(`can't give argument to non-function ${this.tokens[this.pos - 1]?.text ?? ''}`);
      const isCall = this.operand();
      if (operands === 0) callable = isCall;
      operands++;
    }
    if (operands === 0) fail(`missing value for ${context}`);
  }

  /** One operand; true when it can take arguments (a function or a method-like field). */
  private operand(): boolean {
    const t = this.peek() as Token;
    this.pos++;
    switch (t.kind) {
      case 'string':
      case 'number':
      case 'bool':
      case 'nil':
        return false;
      case 'variable':
        if (!this.scope.has(t.text)) fail(`undefined variable ${JSON.stringify(t.text)}`);
        return t.fields !== '';
      case 'field':
        return t.text !== '.';
      case 'ident':
        if (KEYWORDS.has(t.text)) fail(`unexpected keyword ${JSON.stringify(t.text)} in operand`);
        if (!PROMETHEUS_TEMPLATE_FUNCTIONS.has(t.text))
          fail(`function ${JSON.stringify(t.text)} not defined`);
        return true;
      case 'lparen': {
        if (this.peek()?.kind === 'rparen') fail('missing value for parenthesized pipeline');
        this.pipeline('parenthesized pipeline', true);
        if (this.peek()?.kind !== 'rparen') fail('unclosed left paren');
        this.pos++;
        return false;
      }
      case 'rparen':
        return fail('unexpected right paren');
      default:
        return fail(`unexpected ${JSON.stringify(t.text)} in operand`);
    }
  }
}

interface Action {
  readonly body: string;
  readonly offset: number;
}

/** Splits template text into actions; comments are dropped. */
function actions(text: string): Action[] {
  const found: Action[] = [];
  let i = 0;
  while (true) {
    const open = text.indexOf('{{', i);
    if (open < 0) return found;
    let start = open + 2;
    if (text.startsWith('- ', start) || text.startsWith('-\t', start) || text.startsWith('-\n', start))
      start += 2;
    if (text.startsWith('/*', start)) {
      const close = text.indexOf('*/', start + 2);
      if (close < 0) throw new TemplateSyntaxError('unclosed comment', open);
      let k = close + 2;
      if (text.startsWith(' -}}', k)) k += 2;
      if (!text.startsWith('}}', k))
        throw new TemplateSyntaxError('comment ends before closing delimiter', open);
      i = k + 2;
      continue;
    }
    // Find the closing delimiter outside quoted strings.
    let j = start;
    let end = -1;
    while (j < text.length) {
      const c = text[j];
      if (c === '"') {
        j++;
        while (j < text.length && text[j] !== '"' && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
        j++;
        continue;
      }
      if (c === '`') {
        const close = text.indexOf('`', j + 1);
        j = close < 0 ? text.length : close + 1;
        continue;
      }
      if (text.startsWith('}}', j)) {
        end = j;
        break;
      }
      j++;
    }
    if (end < 0) throw new TemplateSyntaxError('unclosed action', open);
    let body = text.slice(start, end);
    if (/\s-$/.test(body)) body = body.slice(0, -1);
    found.push({ body, offset: open });
    i = end + 2;
  }
}

/**
 * The first syntax problem of a Prometheus annotation template, or undefined when it parses.
 * Checks delimiters, strings, pipelines, parentheses, control-structure nesting, variables and
 * function names (Go's parser rejects an unknown function at parse time).
 */
export function templateProblem(text: string): TemplateProblem | undefined {
  let list: Action[];
  try {
    list = actions(text);
  } catch (error) {
    if (!(error instanceof TemplateSyntaxError)) throw error;
    return { message: error.message, offset: error.offset ?? 0 };
  }
  const scopes: Set<string>[] = [new Set(PROMETHEUS_TEMPLATE_VARIABLES)];
  const blocks: { keyword: string; offset: number }[] = [];
  const inRange = () => blocks.some((b) => b.keyword === 'range');
  for (const action of list) {
    try {
      const tokens = lex(action.body);
      const first = tokens[0];
      if (!first) fail('missing value for command');
      const keyword = first?.kind === 'ident' && KEYWORDS.has(first.text) ? first.text : undefined;
      const scope = scopes.at(-1) as Set<string>;
      const parse = (rest: Token[], context: string, into = scope) =>
        new PipelineParser(rest, into).pipeline(context, false);
      switch (keyword) {
        case undefined:
          parse(tokens, 'command');
          break;
        case 'if':
        case 'with':
        case 'range': {
          const inner = new Set(scope);
          parse(tokens.slice(1), keyword, inner);
          blocks.push({ keyword, offset: action.offset });
          scopes.push(inner);
          break;
        }
        case 'else': {
          const open = blocks.at(-1);
          if (!open || open.keyword === 'define' || open.keyword === 'block') fail('unexpected {{else}}');
          const next = tokens[1];
          if (next) {
            if (next.kind !== 'ident' || (next.text !== 'if' && next.text !== 'with'))
              fail(`unexpected ${JSON.stringify(next.text)} after else`);
            const inner = new Set(scopes.at(-2) ?? scope);
            parse(tokens.slice(2), `else ${next.text}`, inner);
            scopes[scopes.length - 1] = inner;
          }
          break;
        }
        case 'end':
          if (tokens.length > 1) fail('unexpected tokens after end');
          if (!blocks.pop()) fail('unexpected {{end}}');
          scopes.pop();
          break;
        case 'define':
        case 'block':
        case 'template': {
          const name = tokens[1];
          if (name?.kind !== 'string') fail(`${keyword} needs a quoted template name`);
          if (keyword === 'define') {
            if (tokens.length > 2) fail('unexpected tokens after define name');
          } else if (tokens.length > 2) parse(tokens.slice(2), keyword);
          if (keyword !== 'template') {
            blocks.push({ keyword, offset: action.offset });
            scopes.push(new Set(['$']));
          }
          break;
        }
        case 'break':
        case 'continue':
          if (tokens.length > 1) fail(`unexpected tokens after ${keyword}`);
          if (!inRange()) fail(`{{${keyword}}} outside {{range}}`);
          break;
      }
    } catch (error) {
      if (!(error instanceof TemplateSyntaxError)) throw error;
      return { message: error.message, offset: action.offset };
    }
  }
  const open = blocks.at(-1);
  if (open) return { message: `unexpected EOF: {{${open.keyword}}} has no {{end}}`, offset: open.offset };
  return undefined;
}

/**
 * Functions a template that parses for Prometheus calls which `engine` does not define, sorted
 * and unique (none for an unparseable template: that is reported on its own).
 */
export function unsupportedTemplateFunctions(text: string, engine: RuleEngine): string[] {
  if (templateProblem(text)) return [];
  const defined = ENGINE_TEMPLATE_FUNCTIONS[engine];
  const missing = new Set<string>();
  for (const action of actions(text))
    for (const token of lex(action.body))
      if (token.kind === 'ident' && !KEYWORDS.has(token.text) && !defined.has(token.text))
        missing.add(token.text);
  return [...missing].sort();
}

/** A finding of `engineTemplateFindings`: functions an engine lacks and the environments it runs. */
export interface EngineTemplateFinding {
  readonly engine: RuleEngine;
  readonly environments: readonly string[];
  readonly functions: readonly string[];
}

/** Per engine of the given environments: the functions the template calls that it does not define. */
export function engineTemplateFindings(
  text: string,
  environments: readonly { readonly name: string; readonly engine?: RuleEngine }[],
): EngineTemplateFinding[] {
  const byEngine = new Map<RuleEngine, string[]>();
  for (const env of environments) {
    const engine = env.engine ?? 'prometheus';
    byEngine.set(engine, [...(byEngine.get(engine) ?? []), env.name]);
  }
  return [...byEngine].flatMap(([engine, names]) => {
    const functions = unsupportedTemplateFunctions(text, engine);
    return functions.length > 0 ? [{ engine, environments: names, functions }] : [];
  });
}

/** The message of an engine template finding. */
export const engineTemplateMessage = (f: EngineTemplateFinding): string =>
  `calls ${f.functions.join(', ')}, which ${f.engine} (environment${f.environments.length > 1 ? 's' : ''} ${f.environments.join(', ')}) does not define`;

/** Label names a template reads through `$labels.<name>` (sorted, unique). */
export function templateLabelRefs(text: string): string[] {
  const refs = new Set<string>();
  for (const match of text.matchAll(/\$labels\.([A-Za-z_][A-Za-z0-9_]*)/g)) refs.add(match[1] as string);
  for (const match of text.matchAll(/index\s+\$labels\s+"([^"]+)"/g)) refs.add(match[1] as string);
  return [...refs].sort();
}
