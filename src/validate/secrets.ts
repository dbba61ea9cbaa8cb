/**
 * Whether a URL can be written into a generated configuration. Validation asks it of receiver URLs
 * in the definitions; `obsgen lint` asks it of every URL in the generated Alertmanager
 * configuration, so both refuse the same URLs.
 */

/** Hosts whose webhook URLs are themselves the secret. */
const SECRET_URL_HOST =
  /(^|\.)(hooks\.slack\.com|events\.pagerduty\.com|hc-ping\.com|nosnch\.in|discord(app)?\.com|webhook\.office\.com|outlook\.office\.com)$/i;
/** A path segment that looks like a token (long, with digits). */
const TOKEN_SEGMENT = /^(?=.*\d)[A-Za-z0-9_-]{20,}$/;

/** Why a URL carries a secret, or undefined when it can be written into the configuration. */
export function urlSecret(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.username || url.password) return 'it carries credentials';
  if (url.search) return 'it carries a query string';
  if (SECRET_URL_HOST.test(url.hostname)) return `a ${url.hostname} webhook URL is itself the secret`;
  if (url.pathname.split('/').some((segment) => TOKEN_SEGMENT.test(segment))) return 'its path holds a token';
  return undefined;
}
