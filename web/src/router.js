import { createRouter, createWebHistory } from 'vue-router'
import { loadSession, session } from './auth/session'
import { navGroups } from './layout/nav'
import { showError } from './shared/errors'
import { HOME, safeRedirect } from './paths'
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

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: LoginPage, meta: { public: true, titleKey: 'login.title' } },
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
    return to.name === 'login' && session.user ? safeRedirect(to.query.redirect) : true
  }
  if (!session.user) {
    return { name: 'login', query: to.fullPath === HOME || to.fullPath === '/' ? {} : { redirect: to.fullPath } }
  }
  if (to.meta.allowed && !to.meta.allowed()) return HOME
  return true
})
