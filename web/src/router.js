import { createRouter, createWebHistory } from 'vue-router'
import { loadSession, session } from './auth/session'
import { navGroups } from './layout/nav'
import { showError } from './shared/errors'
import { HOME, PHONE_HOME, isPhonePath, safePhoneRedirect, safeRedirect } from './paths'
import { phoneTabs } from './phone/tabs'
import PhoneLayout from './phone/PhoneLayout.vue'
import PhoneLogin from './phone/PhoneLogin.vue'
import PhoneReset from './phone/PhoneReset.vue'
import InvitePage from './phone/InvitePage.vue'
import AppLayout from './layout/AppLayout.vue'
import LoginPage from './auth/LoginPage.vue'
import NotBuiltPage from './layout/NotBuiltPage.vue'

// Each navigation item is a page; its `routes` are the pages under it (a detail page, a wizard),
// guarded by the same permission and titled by their own titleKey.
const pages = navGroups.flatMap((g) =>
  g.items.flatMap((item) => [
    {
      path: item.path.slice(1),
      name: item.key,
      component: item.page || NotBuiltPage,
      meta: { titleKey: `nav.items.${item.key}`, allowed: item.allowed },
    },
    ...(item.routes || []).map((r) => ({
      path: r.path.slice(1),
      name: r.name,
      component: r.page,
      props: true,
      meta: { titleKey: r.titleKey || `nav.items.${item.key}`, allowed: item.allowed, navKey: item.key },
    })),
  ]),
)

// The phone pages: each tab and the pages under it (meta.tabKey keeps the tab lit).
const phonePages = phoneTabs.flatMap((tab) => [
  { path: tab.path.slice('/m/'.length), name: tab.key, component: tab.page, meta: { titleKey: tab.titleKey, tabKey: tab.key } },
  ...(tab.routes || []).map((r) => ({
    path: r.path.slice('/m/'.length),
    name: r.name,
    component: r.page,
    props: true,
    meta: { titleKey: r.titleKey || tab.titleKey, tabKey: tab.key },
  })),
])

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: LoginPage, meta: { public: true, titleKey: 'login.title' } },
    { path: '/m/login', name: 'phoneLogin', component: PhoneLogin, meta: { public: true, phone: true, titleKey: 'login.title' } },
    { path: '/m/reset', name: 'phoneReset', component: PhoneReset, meta: { public: true, phone: true, titleKey: 'phone.reset.title' } },
    // An invitation's link: open to anyone holding it, signed in or not.
    { path: '/m/invite/:token', name: 'phoneInvite', component: InvitePage, props: true, meta: { public: true, phone: true, titleKey: 'phone.invite.title' } },
    {
      path: '/m',
      component: PhoneLayout,
      meta: { phone: true },
      children: [
        { path: '', redirect: PHONE_HOME },
        ...phonePages,
        { path: ':rest(.*)*', redirect: PHONE_HOME },
      ],
    },
    {
      path: '/',
      component: AppLayout,
      children: [
        { path: '', redirect: HOME },
        ...pages,
        { path: ':rest(.*)*', name: 'notFound', component: () => import('./layout/NotFoundPage.vue'), meta: { titleKey: 'notFound.title' } },
      ],
    },
  ],
})

router.beforeEach(async (to) => {
  if (!session.loaded) {
    try {
      await loadSession()
    } catch (err) {
      showError(err)
    }
  }
  if (to.meta.public) {
    if (to.name === 'phoneLogin' && session.user) return safePhoneRedirect(to.query.redirect)
    return to.name === 'login' && session.user ? safeRedirect(to.query.redirect) : true
  }
  if (!session.user && isPhonePath(to.path)) {
    return { name: 'phoneLogin', query: to.fullPath === PHONE_HOME ? {} : { redirect: to.fullPath } }
  }
  if (!session.user) {
    return { name: 'login', query: to.fullPath === HOME || to.fullPath === '/' ? {} : { redirect: to.fullPath } }
  }
  if (to.meta.allowed && !to.meta.allowed()) return HOME
  return true
})
