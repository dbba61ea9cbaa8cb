/**
 * Label regular expressions as Prometheus and Alertmanager read them: RE2 syntax (Go's regexp),
 * fully anchored (`^(?:...)$`). JavaScript's engine accepts lookarounds and back-references that
 * RE2 refuses, and refuses `(?i)` that RE2 accepts, so neither checking nor matching may use it.
 */
import { RE2JS } from 're2js';
import type { PromNode } from './tree.ts';
import { walk } from './walk.ts';

/** Constructs RE2 refuses, by how RE2's error reports them; the first that fits names the problem. */
const UNSUPPORTED: readonly [RegExp, string][] = [
  [/`\(\?<?=/, 'a lookahead or lookbehind'],
  [/`\(\?<?!/, 'a negative lookahead or lookbehind'],
  [/`\\[1-9]/, 'a back-reference'],
  [/`\\k/, 'a named back-reference'],
  [/nested repetition operator: `[*+?]\+/, 'a possessive quantifier'],
  [/`\(\?>/, 'an atomic group'],
  [/invalid repeat count/, 'a repeat count above 1000'],
];

const anchored = (pattern: string): string => `^(?:${pattern})$`;

// A fleet's services repeat the same few patterns (`5..`) thousands of times, and compiling one
// with RE2 costs far more than looking up its verdict.
const verdicts = new Map<string, string | undefined>();

/**
 * Why RE2 refuses a label regex (the construct named: lookahead, back-reference...), or undefined
 * when Prometheus and Alertmanager accept it.
 */
export function labelRegexProblem(pattern: string): string | undefined {
  if (verdicts.has(pattern)) return verdicts.get(pattern);
  const problem = regexProblem(pattern);
  verdicts.set(pattern, problem);
  return problem;
}

function regexProblem(pattern: string): string | undefined {
  for (const text of [pattern, anchored(pattern)]) {
    try {
      RE2JS.compile(text);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const construct = UNSUPPORTED.find(([re]) => re.test(message))?.[1];
      const detail = message.replace(/^error parsing regexp: /, '');
      return construct
        ? `${JSON.stringify(pattern)} uses ${construct}, which RE2 (Prometheus, Alertmanager) does not support (${detail})`
        : `${JSON.stringify(pattern)} is not an RE2 regular expression: ${detail}`;
    }
  }
  return undefined;
}

const compiled = new Map<string, RE2JS>();

/** Whether `value` matches the label regex as Prometheus matches it (anchored, RE2). */
export function fullMatch(pattern: string, value: string): boolean {
  let re = compiled.get(pattern);
  if (!re) {
    re = RE2JS.compile(anchored(pattern));
    compiled.set(pattern, re);
  }
  return re.matches(value);
}

/** Every `=~`/`!~` matcher of an expression whose regex RE2 refuses, with why. */
export function regexProblemsOf(root: PromNode): string[] {
  const problems: string[] = [];
  walk(root, (node) => {
    if (node.kind !== 'selector') return;
    for (const m of node.matchers)
      if (m.op === '=~' || m.op === '!~') {
        const problem = labelRegexProblem(m.value);
        if (problem) problems.push(`${m.label}${m.op}: ${problem}`);
      }
  });
  return problems;
}
