/**
 * No secret out: one check (src/validate/secrets.ts) refuses a URL with a secret in any part of
 * it, for every URL a user writes, in validation and in lint alike.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { urlUnder } from '../src/conventions.ts';
import { generate } from '../src/index.ts';
import { urlSecret } from '../src/validate/secrets.ts';
import { copyProject } from './helpers/project.ts';
import { tempDir } from './helpers/tools.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('obsgen-trust-secrets-'));
});
afterAll(() => cleanup());

describe('urlSecret', () => {
  it.each([
    ['https://bot:SECRET@hooks.example.com/alert', /credentials/],
    ['https://bot:SECRET@hooks.example.com:99999/alert', /credentials/],
    ['https://bot@hooks.example.com/alert', /credentials/],
    ['https://hooks.example.com/alert#token=abc', /fragment/],
    ['https://hooks.example.com/alert;token=abc', /parameters/],
    ['https://hooks.example.com/alert?token=abc', /query/],
    ['https://hooks.example.com/token=abc/alert', /names a secret/],
    ['https://hooks.example.com/%74oken%3Dabc/alert', /names a secret/],
    ['https://hooks.example.com:99999/alert', /does not parse/],
    ['https://hooks.slack.com/services/T/B/x', /webhook URL is itself the secret/],
    ['https://hooks.example.com/a/9f86d081884c7d659a2feaa0c55ad015/b', /token/],
    ['https://runbooks.example.com/alert#9f86d081884c7d659a2feaa0c55ad015', /fragment holds a token/],
  ])('%s is refused', (url, why) => {
    expect(urlSecret(url)).toMatch(why);
  });

  it.each([
    'https://heartbeat.malaria-prediction.com/alertmanager',
    'https://runbooks.example.com/shop',
    'https://github.com/malaria-prediction/malaria-predictor-api/blob/main/generated/runbooks',
    'http://127.0.0.1:9093/api/v2/alerts',
    // A runbook anchor is a place in a page (the kubernetes-mixin's runbooks, Sloth's examples).
    'https://github.com/kubernetes-monitoring/kubernetes-mixin/tree/master/runbook.md#alert-name-kubeapierrorshigh',
  ])('%s is written', (url) => {
    expect(urlSecret(url)).toBeUndefined();
  });

  const secret = fc.stringMatching(/^[A-Za-z0-9]{12,30}$/).map((s) => `${s}7Q`);
  const word = fc.stringMatching(/^[a-z]{1,10}$/);
  const host = fc.array(word, { minLength: 2, maxLength: 4 }).map((parts) => parts.join('.'));
  const path = fc.array(word, { maxLength: 4 }).map((parts) => parts.map((p) => `/${p}`).join(''));
  const secretName = fc.constantFrom('token', 'api_key', 'secret', 'password', 'sig', 'auth');
  /** A URL with a secret in one of its parts, and the part it is in. */
  const withSecret = fc.oneof(
    fc
      .tuple(word, secret, host, path)
      .map(([user, s, h, p]) => ({ part: 'userinfo', url: `https://${user}:${s}@${h}${p}` })),
    fc.tuple(secret, host, path).map(([s, h, p]) => ({ part: 'user only', url: `https://${s}@${h}${p}` })),
    fc
      .tuple(word, secret, host, fc.integer({ min: 65536, max: 999999 }), path)
      .map(([user, s, h, port, p]) => ({ part: 'unparsable', url: `https://${user}:${s}@${h}:${port}${p}` })),
    fc
      .tuple(host, path, secretName, secret)
      .map(([h, p, n, s]) => ({ part: 'query', url: `https://${h}${p}?${n}=${s}` })),
    fc
      .tuple(host, path, secretName, secret)
      .map(([h, p, n, s]) => ({ part: 'fragment', url: `https://${h}${p}#${n}=${s}` })),
    fc
      .tuple(host, path, secretName, secret)
      .map(([h, p, n, s]) => ({ part: 'matrix', url: `https://${h}${p};${n}=${s}` })),
    fc
      .tuple(host, path, secret, path)
      .map(([h, p, s, rest]) => ({ part: 'path token', url: `https://${h}${p}/${s}${s}${rest}` })),
    fc
      .tuple(host, path, secretName, secret)
      .map(([h, p, n, s]) => ({ part: 'path name', url: `https://${h}${p}/${n}:${s}` })),
    fc.tuple(host, secret).map(([h, s]) => ({ part: 'no scheme', url: `${h}:${s}@not a url` })),
  );

  it('refuses a secret hidden in any part of a URL (fuzz)', () => {
    fc.assert(
      fc.property(withSecret, ({ url }) => {
        expect(urlSecret(url), url).toBeDefined();
      }),
      { numRuns: 2000 },
    );
  });

  it('writes URLs with no secret in any part (fuzz)', () => {
    fc.assert(
      fc.property(host, path, (h, p) => {
        expect(urlSecret(`https://${h}${p}`)).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });
});

describe('base URLs', () => {
  it('are joined as URLs, not strings', () => {
    expect(urlUnder('https://runbooks.example.com/shop/', 'ApiDown.md')).toBe(
      'https://runbooks.example.com/shop/ApiDown.md',
    );
    expect(urlUnder('https://runbooks.example.com?x=1#y', 'ApiDown.md')).toBe(
      'https://runbooks.example.com/ApiDown.md',
    );
    expect(urlUnder('https://grafana.example.com', 'd/shop', 'var-environment=staging')).toBe(
      'https://grafana.example.com/d/shop?var-environment=staging',
    );
  });
});

/** Each case: an edit of the lint-clean shop and the field the error must name. */
const CASES = [
  {
    name: 'webhook URL with credentials',
    edit: {
      file: 'slos/environments.ts',
      from: "'email-digest': { type: 'email', to: 'shop-team@example.com' },",
      to: "'email-digest': { type: 'webhook', url: 'https://bot:SECRET@hooks.example.com/alert' },",
    },
    path: 'slos/environments.ts: alerting.receivers.email-digest.url',
  },
  {
    name: 'webhook URL with credentials and an invalid port',
    edit: {
      file: 'slos/environments.ts',
      from: "'email-digest': { type: 'email', to: 'shop-team@example.com' },",
      to: "'email-digest': { type: 'webhook', url: 'https://bot:SECRET@hooks.example.com:99999/alert' },",
    },
    path: 'slos/environments.ts: alerting.receivers.email-digest.url',
  },
  {
    name: 'webhook URL with a token in the fragment',
    edit: {
      file: 'slos/environments.ts',
      from: "'email-digest': { type: 'email', to: 'shop-team@example.com' },",
      to: "'email-digest': { type: 'webhook', url: 'https://hooks.example.com/alert#token=SECRET' },",
    },
    path: 'slos/environments.ts: alerting.receivers.email-digest.url',
  },
  {
    name: 'webhook URL with a matrix parameter',
    edit: {
      file: 'slos/environments.ts',
      from: "'email-digest': { type: 'email', to: 'shop-team@example.com' },",
      to: "'email-digest': { type: 'webhook', url: 'https://hooks.example.com/alert;token=SECRET' },",
    },
    path: 'slos/environments.ts: alerting.receivers.email-digest.url',
  },
  {
    name: 'runbookBaseUrl with a token in the query',
    edit: {
      file: 'slos/environments.ts',
      from: "runbookBaseUrl: 'https://runbooks.example.com/shop'",
      to: "runbookBaseUrl: 'https://runbooks.example.com/shop?token=SECRET'",
    },
    path: 'slos/shop.ts: environments.staging.runbookBaseUrl',
  },
  {
    name: 'grafanaBaseUrl with credentials',
    edit: {
      file: 'slos/environments.ts',
      from: "grafanaBaseUrl: 'https://grafana.example.com'",
      to: "grafanaBaseUrl: 'https://admin:SECRET@grafana.example.com'",
    },
    path: 'slos/shop.ts: environments.staging.grafanaBaseUrl',
  },
];

describe('generate refuses a secret in a URL the user writes', () => {
  it.each(CASES)('$name: names file and field, writes nothing', async ({ name, edit, path }) => {
    const root = await copyProject('lint-clean', join(dir, name.replaceAll(' ', '-')), [edit]);
    const result = await generate({ root });
    expect(result.drift).toBeUndefined();
    const found = result.diagnostics.filter((d) => d.severity === 'error');
    expect(found.length).toBeGreaterThan(0);
    expect(found.map((d) => `${d.file}: ${d.path.join('.')}`)).toContain(path);
    // The diagnostic names the field; it does not print the secret into a CI log.
    expect(JSON.stringify(result.diagnostics)).not.toContain('SECRET');
    expect(await readdir(root)).not.toContain('generated');
  });
});
