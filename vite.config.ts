import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The renderer is served from the packaged app (file://) and from the web host, so assets use
// relative paths.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2023',
    sourcemap: true,
  },
  server: {
    host: '127.0.0.1',
  },
});
