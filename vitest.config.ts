import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The JSON report feeds the one-line summary CI reads (scripts/test-summary.mjs).
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: [
            'shared/src/**/*.test.ts',
            'electron/**/*.test.ts',
            'migrations/**/*.test.ts',
            'renderer/src/**/*.test.{ts,tsx}',
            'tests/integration/**/*.test.ts',
          ],
        },
      },
      './server/vitest.config.ts',
    ],
  },
});
