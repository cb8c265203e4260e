import { createApp } from 'vue'
import 'element-plus/dist/index.css'
import 'vant/lib/index.css'
import './styles.css'
import App from './App.vue'
import { i18n } from './i18n'
import { router } from './router'
import { onUnauthorized } from './api/client'
import { forgetSession } from './auth/session'
import { element, vTest } from './shared/element'
import { vant } from './shared/vant'
import { isPhonePath } from './paths'

// Any 401 means the session is gone (expired, signed out elsewhere, password changed): forget
// the user and go to the sign-in page, coming back here afterwards.
onUnauthorized(() => {
  forgetSession()
  const here = router.currentRoute.value
  const login = isPhonePath(here.path) ? 'phoneLogin' : 'login'
  if (here.name !== login) router.replace({ name: login, query: { redirect: here.fullPath } })
})

createApp(App).use(i18n).use(router).use(element).use(vant).directive('test', vTest).mount('#app')
