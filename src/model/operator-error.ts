/**
 * Faults of the machine or its operator, not of the definitions: a read-only or full disk, a port
 * taken, a tool missing, an output folder that leads outside the project. The CLI prints the
 * message as one line and exits 2; a stack trace is kept for real bugs.
 */
export class OperatorError extends Error {
  override readonly name = 'OperatorError';
}

/** What an errno code means to an operator. */
const ERRNO_MEANING: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a file is in the way where a folder is needed',
  EISDIR: 'a folder is in the way where a file is needed',
  EEXIST: 'already exists',
  ENOENT: 'not found',
  ENAMETOOLONG: 'name too long for the file system',
  EADDRINUSE: 'address already in use',
  EMFILE: 'too many open files',
  ELOOP: 'too many levels of symbolic links',
  EIO: 'input/output error',
};

/** The errno code of a Node system error, when it is one an operator can act on. */
export function operatorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code in ERRNO_MEANING ? code : undefined;
}

/**
 * An OperatorError for a Node system error on `resource` (a path, `127.0.0.1:9090`, a tool), or
 * the error unchanged when it is not an operator fault.
 */
export function asOperatorError(error: unknown, resource?: string): unknown {
  if (error instanceof OperatorError) return error;
  const code = operatorCode(error);
  if (!code) return error;
  const e = error as { path?: string; dest?: string; address?: string; port?: number };
  const where = resource ?? e.path ?? (e.address ? `${e.address}:${e.port ?? ''}` : undefined) ?? 'obsgen';
  return new OperatorError(`${where}: ${ERRNO_MEANING[code]} (${code})`, { cause: error });
}
