import { createI18n } from 'vue-i18n'
import zhCN from './locales/zh-CN.json'
import en from './locales/en.json'

// The console speaks zh-CN first and en second. The choice is kept in localStorage and sent to
// the API as Accept-Language, which is how the server picks the language of its error texts.
// App.vue keeps <html lang> and the document title in step with it.
export const LOCALES = ['zh-CN', 'en']
const STORAGE_KEY = 'tongxin.locale'

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
  messages: { 'zh-CN': zhCN, en },
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
