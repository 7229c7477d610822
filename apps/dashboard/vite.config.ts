import { defaultClientConditions, defineConfig } from 'vite';

// Bundle sibling workspace packages from their TypeScript source (docs/architecture.md#source-resolution),
// so the dashboard
// build does not depend on their `dist/` being current.
export default defineConfig({
  base: './',
  resolve: { conditions: ['@firehose/source', ...defaultClientConditions] },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 1024 },
  server: { port: 5173 },
});
