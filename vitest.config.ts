import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
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
