import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [sveltekit()],
  server: {
    // The schema lives outside web/ (../schema); allow Vite to watch it in dev.
    fs: { allow: ['..'] },
  },
});
