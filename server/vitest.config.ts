import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'server',
    root: import.meta.dirname,
    environment: 'node',
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    globalSetup: ['tests/helpers/global-setup.ts'],
    // argon2id at OWASP parameters costs ~50 ms per hash on purpose; database setup adds a little more.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
