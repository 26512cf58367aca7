/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// The API binary serves web/dist at `/` (assets under /assets/, client routes fall back to
// index.html), so the build uses absolute paths from the root.
export default defineConfig({
  base: '/',
  plugins: [vue()],
  server: {
    // The API's default CORS admits exactly these origins.
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
  },
  preview: {
    host: '127.0.0.1',
    port: 4173,
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    chunkSizeWarningLimit: 600,
    // No "which plugin was slow" report on every build (it fires on small, busy machines).
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  test: {
    environment: 'happy-dom',
    include: ['tests/**/*.test.ts'],
    restoreMocks: true,
  },
});
