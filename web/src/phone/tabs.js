import MePage from './MePage.vue'

// The phone pages (Vant, under /m/) that workers, members and volunteers use. Each domain adds
// its tab here: { key, path, icon, page, titleKey, routes: [{ path, name, page, titleKey }] }.
// A tab's page is shown in the phone layout with a bottom tab bar; its routes are pages under
// it (a detail, a form). Tabs are for every signed-in person: what each may see is the
// server's answer, never a role name here.
export const phoneTabs = [
  { key: 'phoneMe', path: '/m/me', icon: 'user-o', page: MePage, titleKey: 'phone.tabs.me' },
]
