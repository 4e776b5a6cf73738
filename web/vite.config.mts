import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';
import { bundleSize } from './build/bundle-size.mts';
import { precompress } from './build/precompress.mts';

// The app lives under /app/ on the gateway's origin (same origin: no CORS, the socket is /graphql).
// `npm run dev:web` proxies the gateway's paths so the dev server behaves the same.
const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:4000';

export default defineConfig({
  base: '/app/',
  plugins: [vue(), bundleSize(), precompress()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 400 },
  server: {
    host: '127.0.0.1',
    port: Number(process.env.WEB_DEV_PORT ?? 5173),
    strictPort: true,
    proxy: {
      '/graphql': { target: gateway, ws: true },
      '/auth': { target: gateway },
    },
  },
});
