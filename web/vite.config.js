import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The server sends the console with a Content-Security-Policy that allows scripts from 'self'
// only: no inline <script>, no eval, no new Function. cspSafe() fails the build when the output
// would need any of them, so a dependency that starts to cannot slip in unnoticed. The minifier
// writes `new Function(…)` as `Function(…)`, so both are caught. One use is let through:
// lodash (inside Element Plus) keeps `Function('return this')()` as its last way to find the
// global object, which browsers never reach (`self` comes first).
const FORBIDDEN = [/(?<![.\w$])eval\s*\(|\b(?:window|self|globalThis)\.eval\s*\(/, /(?<![.\w$])(?:new\s+)?Function\s*\((?!\s*[`'"]return this[`'"]\s*\))/]

function cspSafe() {
  return {
    name: 'tongxin-csp-safe',
    apply: 'build',
    generateBundle(_, bundle) {
      for (const file of Object.values(bundle)) {
        const text = file.type === 'chunk' ? file.code : typeof file.source === 'string' ? file.source : ''
        if (file.fileName.endsWith('.html') && /<script(?![^>]*\bsrc=)[^>]*>/i.test(text)) {
          this.error(`${file.fileName} has an inline <script>, which the console's CSP refuses`)
        }
        if (file.type === 'chunk') {
          for (const re of FORBIDDEN) {
            const m = re.exec(text)
            if (m) this.error(`${file.fileName} calls ${m[0]}…), which the console's CSP refuses: …${text.slice(Math.max(0, m.index - 80), m.index + 40)}…`)
          }
        }
      }
    },
  }
}

// The console is served by the Go binary at "/", same origin as the API.
// In development the API runs separately (see README.md) and /api is proxied to it.
export default defineConfig({
  plugins: [vue(), cspSafe()],
  define: {
    // vue-i18n esm-bundler feature flags: Composition API only, no devtools in production.
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    // The message compiler stays: the locale files are plain JSON compiled when first used. Since
    // vue-i18n 10 it compiles to an AST that is evaluated by plain functions (the "JIT" mode,
    // the only one in vue-i18n 11), with no new Function, so it runs under the CSP above.
    __INTLIFY_DROP_MESSAGE_COMPILER__: false,
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
