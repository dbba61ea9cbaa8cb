/**
 * Notification templates written into the fields that use them. An AlertmanagerConfig cannot
 * bring a templates file (the Alertmanager loads those from its own configuration), so each
 * `{{ template "name" . }}` of a receiver field is replaced by the named template's body. With
 * the same dot the body renders the same text; the tests render both with amtool.
 */

/** One `{{ ... }}` action: its text and where it starts and ends. */
interface Action {
  readonly start: number;
  readonly end: number;
  /** The words inside the delimiters, trim markers removed. */
  readonly words: string;
}

function actions(text: string): Action[] {
  const found: Action[] = [];
  let at = 0;
  for (;;) {
    const start = text.indexOf('{{', at);
    if (start < 0) return found;
    const end = text.indexOf('}}', start + 2);
    if (end < 0) throw new Error(`unterminated template action at ${start}`);
    const inner = text
      .slice(start + 2, end)
      .replace(/^-\s/, '')
      .replace(/\s-$/, '');
    found.push({ start, end: end + 2, words: inner.trim() });
    at = end + 2;
  }
}

/** Go's trim markers remove spaces, tabs and line breaks. */
const trimGo = (text: string): string => text.replace(/^[ \t\r\n]+/, '').replace(/[ \t\r\n]+$/, '');

const OPENERS = /^(if|range|with|define|block)\b/;

/**
 * Bodies of the `{{ define "name" -}} ... {{- end }}` blocks of a templates file, by name. The
 * bodies are trimmed as Go's trim markers trim them.
 */
export function templateBodies(file: string): Map<string, string> {
  const bodies = new Map<string, string>();
  const list = actions(file);
  for (let i = 0; i < list.length; i++) {
    const open = list[i] as Action;
    const name = /^define "([^"]+)"$/.exec(open.words)?.[1];
    if (name === undefined) continue;
    let depth = 0;
    for (let j = i + 1; j < list.length; j++) {
      const action = list[j] as Action;
      if (OPENERS.test(action.words)) depth++;
      else if (action.words === 'end') {
        if (depth === 0) {
          bodies.set(name, trimGo(file.slice(open.end, action.start)));
          i = j;
          break;
        }
        depth--;
      }
    }
  }
  return bodies;
}

const USE = /\{\{ template "([^"]+)" \. \}\}/g;

/**
 * `text` with every `{{ template "name" . }}` replaced by the body of `name`, recursively. A body
 * whose trim markers would eat whitespace of the surrounding text, or that reads `$`, would render
 * differently in place: that is a bug of the templates file, not of a definition.
 */
export function inlineTemplates(
  text: string,
  bodies: ReadonlyMap<string, string>,
  seen: string[] = [],
): string {
  return text.replace(USE, (use: string, name: string, offset: number) => {
    const body = bodies.get(name);
    if (body === undefined) throw new Error(`template ${name} is not defined in the templates file`);
    if (seen.includes(name)) throw new Error(`template ${name} uses itself`);
    const before = text.slice(0, offset);
    const after = text.slice(offset + use.length);
    const eatsBefore = body.startsWith('{{-') && /[ \t\r\n]$/.test(before);
    const eatsAfter = body.endsWith('-}}') && /^[ \t\r\n]/.test(after);
    if (eatsBefore || eatsAfter || /\$[^a-zA-Z]|\$$/.test(body))
      throw new Error(`template ${name} cannot be written in place`);
    return inlineTemplates(body, bodies, [...seen, name]);
  });
}
