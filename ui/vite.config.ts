import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const hub = process.env.SUPERGREP_HUB ?? 'http://127.0.0.1:7070';

/** Builds the UI into dist/ui, which the hub serves at `/`. `npm run dev` proxies to a running hub. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/ui', import.meta.url)),
    emptyOutDir: true,
  },
  server: {
    proxy: {
      '/api': hub,
      '/healthz': hub,
      '/ws': {
        target: hub.replace(/^http/, 'ws'),
        ws: true,
        changeOrigin: true,
        // The hub accepts browser sockets only from its own origin; through this proxy the page's
        // origin is the dev server's, so present the hub's instead.
        configure: (proxy) => {
          proxy.on('proxyReqWs', (request) => request.setHeader('origin', hub));
        },
      },
    },
  },
});
