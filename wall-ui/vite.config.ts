// The wall (index.html) and the body-cam page (bodycam.html), built into wall-ui/dist
// and served by the hub. `npm start` and the tests build it when a source is newer.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      // every page at the top of wall-ui: index.html (the wall), bodycam.html, viewer.html, …
      input: Object.fromEntries(
        readdirSync(root)
          .filter((name) => name.endsWith('.html'))
          .map((name) => [name === 'index.html' ? 'wall' : name.slice(0, -'.html'.length), `${root}${name}`]),
      ),
    },
  },
});
