import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The dashboard: web/ (Vite's own layout: index.html, src/) built into dist/web, which the server serves
 * at `/` (src/http/dashboard.ts). Everything is bundled and served locally: no CDN, works offline.
 * `npm run dev:web` serves it with hot reload and proxies the API (/graphql, HTTP and WebSocket) to a
 * server on PERPGRAPH_URL (default http://127.0.0.1:4000).
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: 'public',
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    // echarts and lightweight-charts are large; one chunk each keeps the page's own code cacheable apart.
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: {
        manualChunks(id: string) {
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender')) return 'echarts';
          if (id.includes('node_modules/lightweight-charts') || id.includes('node_modules/fancy-canvas')) return 'lightweight-charts';
          return undefined;
        },
      },
    },
  },
  server: {
    proxy: { '/graphql': { target: process.env.PERPGRAPH_URL ?? 'http://127.0.0.1:4000', ws: true } },
  },
  logLevel: 'warn',
});
