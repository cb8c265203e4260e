import { createI18n } from 'vue-i18n'

// The console speaks zh-CN first and en second. The choice is kept in localStorage and sent to
// the API as Accept-Language, which is how the server picks the language of its error texts.
// App.vue keeps <html lang> and the document title in step with it.
export const LOCALES = ['zh-CN', 'en']
const STORAGE_KEY = 'tongxin.locale'

// Each domain keeps its words beside its pages (web/src/<domain>/locales/<lang>.json) and the
// shared ones live in web/src/locales; they are merged here into one catalogue per language. An
// id is defined in one file only (internal/server's TestConsoleCatalogueIsComplete checks).
const files = import.meta.glob(['./locales/*.json', './*/locales/*.json'], { eager: true, import: 'default' })

function merge(into, from) {
  for (const [k, v] of Object.entries(from)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      into[k] = merge(into[k] || {}, v)
    } else {
      into[k] = v
    }
  }
  return into
}

export function catalogues() {
  const messages = Object.fromEntries(LOCALES.map((l) => [l, {}]))
  for (const [path, content] of Object.entries(files)) {
    const lang = path.slice(path.lastIndexOf('/') + 1, -'.json'.length)
    if (messages[lang]) merge(messages[lang], content)
  }
  return messages
}

function storedLocale() {
  try {
    const v = localStorage.getItem(STORAGE_KEY)
    return LOCALES.includes(v) ? v : LOCALES[0]
  } catch {
    return LOCALES[0]
  }
}

export const i18n = createI18n({
  legacy: false,
  locale: storedLocale(),
  fallbackLocale: 'zh-CN',
  messages: catalogues(),
})

export function currentLocale() {
  return i18n.global.locale.value
}

export function setLocale(locale) {
  if (!LOCALES.includes(locale)) return
  i18n.global.locale.value = locale
  try {
    localStorage.setItem(STORAGE_KEY, locale)
  } catch {
    // Private mode may refuse storage; the choice then lasts for this page only.
  }
}

export function toggleLocale() {
  setLocale(currentLocale() === 'zh-CN' ? 'en' : 'zh-CN')
}
