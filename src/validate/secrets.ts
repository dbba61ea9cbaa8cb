/**
 * Whether a URL can be written into a generated file. Validation asks it of every URL a user
 * writes (receiver URLs, runbook and Grafana base URLs, runbook links); `obsgen lint` asks it of
 * every URL in the generated Alertmanager configuration, so both refuse the same URLs.
 *
 * It reads the text itself before asking the WHATWG parser: credentials before an `@` are found
 * even when the rest does not parse (an invalid port makes `new URL()` throw), and a URL that does
 * not parse is refused, since what it carries cannot be known.
 */

/** Hosts whose webhook URLs are themselves the secret. */
const SECRET_URL_HOST =
  /(^|\.)(hooks\.slack\.com|events\.pagerduty\.com|hc-ping\.com|nosnch\.in|discord(app)?\.com|webhook\.office\.com|outlook\.office\.com|api\.telegram\.org|hooks\.zapier\.com|api\.opsgenie\.com|alert\.victorops\.com)$/i;
/** A path segment that looks like a token (long, with digits). */
const TOKEN_SEGMENT = /^(?=.*\d)[A-Za-z0-9_.~-]{20,}$/;
/** A path segment naming a secret (`token=...`, `api_key:...`). */
const SECRET_WORD = /(token|secret|passw(or)?d|api[_-]?key|auth|signature|sig|credential|bearer)/i;
/** `scheme://` then the authority up to the first `/`, `?` or `#`. */
const AUTHORITY = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/;

const decoded = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

/** Why a path segment holds a secret, or undefined. */
function segmentSecret(raw: string): string | undefined {
  const segment = decoded(raw);
  if (segment.includes(';')) return 'its path carries parameters (;key=value)';
  if (/[=:]/.test(segment) && SECRET_WORD.test(segment)) return 'its path names a secret';
  if (TOKEN_SEGMENT.test(segment)) return 'its path holds a token';
  return undefined;
}

/**
 * Why a fragment carries a secret. A plain anchor (`runbook.md#alert-name-kubeapierrorshigh`, as
 * runbook links in the kubernetes-mixin and Sloth's examples have) is a place in a page and kept;
 * key=value pairs (`#access_token=...`, OAuth's implicit flow), parameters and token-like strings
 * are refused.
 */
function fragmentSecret(text: string): string | undefined {
  const at = text.indexOf('#');
  if (at < 0) return undefined;
  const fragment = decoded(text.slice(at + 1));
  if (!/^[A-Za-z0-9_.~-]*$/.test(fragment)) return 'it carries a fragment with parameters (#key=value)';
  if (TOKEN_SEGMENT.test(fragment)) return 'its fragment holds a token';
  return undefined;
}

/** Why a URL carries a secret, or undefined when it can be written into a generated file. */
export function urlSecret(text: string): string | undefined {
  const authority = AUTHORITY.exec(text)?.[1];
  if (authority?.includes('@')) return 'it carries credentials (user:password@)';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'it does not parse as a URL, so what it carries cannot be checked';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'it is not an http(s) URL';
  if (url.username || url.password) return 'it carries credentials (user:password@)';
  if (url.search || text.includes('?')) return 'it carries a query string';
  const fragment = fragmentSecret(text);
  if (fragment) return fragment;
  if (SECRET_URL_HOST.test(url.hostname)) return `a ${url.hostname} webhook URL is itself the secret`;
  if (text.includes(';')) return 'its path carries parameters (;key=value)';
  for (const segment of url.pathname.split('/')) {
    const why = segmentSecret(segment);
    if (why) return why;
  }
  return undefined;
}
