import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The console is served by the Go binary at "/", same origin as the API.
// In development the API runs separately (see README.md) and /api is proxied to it.
export default defineConfig({
  plugins: [vue()],
  define: {
    // vue-i18n esm-bundler feature flags: Composition API only, no devtools in production.
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:18080',
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Element Plus (table, select, tree, date picker) makes up most of one ~490 kB vendor chunk
    // (~155 kB gzipped), loaded once and cached; that is expected, not a warning.
    chunkSizeWarningLimit: 700,
    rolldownOptions: {
      output: {
        // Vue and the component library change less often than the app; split them off so the
        // browser keeps them cached across releases. Vue first: Element Plus depends on it.
        codeSplitting: {
          groups: [
            { name: 'vue', test: /node_modules[\\/](@vue|vue|vue-router|vue-i18n|@intlify)[\\/]/, priority: 2 },
            { name: 'vendor', test: /node_modules[\\/]/, priority: 1 },
          ],
        },
      },
    },
  },
})
