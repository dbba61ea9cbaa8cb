/**
 * No secret is written inline into a generated Alertmanager configuration: every credential is a
 * `*_file` path Alertmanager reads when it notifies. Validation refuses inline secrets in the
 * definitions (receiver/inline-secret); this reads the output itself, so a target that writes one
 * anyway (or a future output) is caught too.
 */
import type { Diagnostic } from '../model/diagnostic.ts';
import { urlSecret } from '../validate/secrets.ts';
import { alertmanagerConfigs, routingFile } from './alertmanager-amtool.ts';
import type { LintContext } from './context.ts';

/** Alertmanager (0.25) fields that hold a secret inline; each has a `_file` twin or a file-based form. */
const SECRET_KEYS = new Set([
  'api_key',
  'api_secret',
  'api_url',
  'auth_password',
  'auth_secret',
  'bearer_token',
  'bot_token',
  'client_secret',
  'credentials',
  'password',
  'routing_key',
  'secret_key',
  'service_key',
  'slack_api_url',
  'smtp_auth_password',
  'smtp_auth_secret',
  'token',
  'user_key',
  'victorops_api_key',
  'opsgenie_api_key',
  'wechat_api_secret',
  'webhook_url',
]);
/** A value that is a notification template only (`{{ .CommonAnnotations.runbook_url }}`), no URL. */
const TEMPLATE_ONLY = /^\s*(\{\{[^{}]*\}\}\s*)+$/;

function* inlineSecrets(
  value: unknown,
  path: (string | number)[] = [],
): Generator<{ path: string; why: string }> {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) yield* inlineSecrets(item, [...path, i]);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, item] of Object.entries(value)) {
    const at = [...path, key];
    if (SECRET_KEYS.has(key) && typeof item === 'string' && item !== '')
      yield { path: at.join('.'), why: `${key} holds a secret inline` };
    else if (key.endsWith('url') && typeof item === 'string' && !TEMPLATE_ONLY.test(item)) {
      const why = urlSecret(item);
      if (why) yield { path: at.join('.'), why: `${key}: ${why}` };
    } else yield* inlineSecrets(item, at);
  }
}

export function lintAlertmanagerSecrets(ctx: LintContext): Diagnostic[] {
  return alertmanagerConfigs(ctx).flatMap(({ env, path, value }) =>
    [...inlineSecrets(value)].map((found) => ({
      code: 'routing/inline-secret',
      severity: 'error' as const,
      file: routingFile(ctx, env, path),
      path: ['receivers'],
      message: `${ctx.outDir}/${path}: ${found.path}: ${found.why}`,
      hint: 'give the secret as a file mounted from a Kubernetes Secret (api_url_file, routing_key_file, credentials_file, smtp_auth_password_file)',
    })),
  );
}
