// Builds the page (index.html) and the layer-module example (example.html) into dist/, which `rsgeo serve` serves at /.
// `npm run dev` proxies the API to RSGEO_API (default http://127.0.0.1:8080).
import { defineConfig } from 'vite';
import { resolve } from 'node:path';

const api = process.env.RSGEO_API ?? 'http://127.0.0.1:8080';
const proxied = ['/search', '/chips', '/classify', '/similarity', '/embed', '/scenes', '/models', '/health', '/ogc', '/wfs', '/changes'];

export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      input: { index: resolve(import.meta.dirname, 'index.html'), example: resolve(import.meta.dirname, 'example.html') },
    },
  },
  server: { proxy: Object.fromEntries(proxied.map((p) => [p, { target: api, changeOrigin: true }])) },
});
