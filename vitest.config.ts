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
      {
        test: {
          // Desktop cores against a real team server (embedded PostgreSQL), on 127.0.0.1.
          name: 'sync',
          environment: 'node',
          include: ['tests/sync/**/*.test.ts'],
          globalSetup: ['server/tests/helpers/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
