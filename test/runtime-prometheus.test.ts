import { describe, expect, it } from 'vitest';
import { startPrometheus } from '../src/runtime/prometheus.ts';

describe('real Prometheus runtime', () => {
  it('starts on 127.0.0.1 with rules loaded, answers queries and stops', async () => {
    const prometheus = await startPrometheus({
      rules: {
        'r.yaml':
          'groups:\n  - name: g\n    rules:\n      - record: obsgen:test:one\n        expr: vector(1)\n',
      },
      config: { global: { evaluation_interval: '1s' } },
    });
    try {
      expect(prometheus.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const groups = (await prometheus.api('rules')) as { groups: { name: string }[] };
      expect(groups.groups.map((g) => g.name)).toEqual(['g']);
      await expect(prometheus.query('vector(2) * 21')).resolves.toEqual([{ metric: {}, value: 42 }]);
      await expect(prometheus.query('sum(')).rejects.toThrow(/parse error/);
    } finally {
      await prometheus.stop();
    }
    expect(prometheus.daemon.child.exitCode !== null || prometheus.daemon.child.signalCode !== null).toBe(
      true,
    );
  });
});
