import { defineConfig } from 'vite';

// Built once, served by the Ferry server under any base path: asset URLs are relative and the
// server puts a <base href> into index.html, so one build works at `/`, `/ferry/` or behind a proxy.
export default defineConfig({
  base: './',
  // jsxDev off: a build started from a test process (NODE_ENV=test) stays a production build.
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact', jsxDev: false },
  resolve: { alias: { react: 'preact/compat', 'react-dom': 'preact/compat' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  server: {
    // `npm run dev -w @ferry/web` against a Ferry on :8080.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
