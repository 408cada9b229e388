import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{shared,iso,builder,agent,templates,test}/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
