import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, generate } from '../src/index.ts';
import { ROOT } from './helpers/tools.ts';

describe('environment settings the Kubernetes target cannot write', () => {
  it('are reported by file and field (namespace, labels, folder, secrets, time zone, unknown fields), nothing written', async () => {
    const result = await generate({
      root: join(ROOT, 'test', 'fixtures', 'kubernetes-invalid'),
      check: true,
    });
    expect(result.drift).toBeUndefined();
    expect([...new Set(result.diagnostics.map((d) => d.code))].sort()).toEqual([
      'kubernetes/dashboard-folder',
      'kubernetes/label-key',
      'kubernetes/label-value',
      'kubernetes/namespace',
      'kubernetes/secret-file',
      'kubernetes/secrets-dir',
      'kubernetes/time-zone',
      'schema/unrecognized-keys',
    ]);
    await expect(`${result.diagnostics.map(formatDiagnostic).join('\n')}\n`).toMatchFileSnapshot(
      join('golden', 'bad-input', 'kubernetes-invalid.txt'),
    );
  });
});
