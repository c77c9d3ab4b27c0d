// Builds the console into one directory of hashed assets under base /console/; the C++ build
// embeds that directory in the master (cmake/console_bundle.cmake). No CDN, no run-time fetch.
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

export default defineConfig({
  base: '/console/',
  plugins: [preact()],
  build: {
    outDir: process.env.CAPSTAN_CONSOLE_OUT || 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    sourcemap: false,
    // The master serves every file from memory: one script and one stylesheet.
    rollupOptions: { output: { manualChunks: undefined } },
  },
});
