import MePage from './MePage.vue'
import ServicesTab from '../servicenet/phone/ServicesTab.vue'
import MyRequestsTab from '../servicenet/phone/MyRequestsTab.vue'
import PhoneActivities from '../activities/PhoneActivities.vue'
import PhoneActivity from '../activities/PhoneActivity.vue'
import PhoneCheckin from '../activities/PhoneCheckin.vue'
import PhoneMine from '../activities/PhoneMine.vue'
import ArteryPage from '../artery/phone/ArteryPage.vue'
import ListingPage from '../artery/phone/ListingPage.vue'
import PostPage from '../artery/phone/PostPage.vue'
import PhoneParty from '../partyaffairs/PhoneParty.vue'

// The phone pages (Vant, under /m/) that workers, members and volunteers use. Each domain adds
// its tab here: { key, path, icon, page, titleKey, routes: [{ path, name, page, titleKey }] }.
// A tab's page is shown in the phone layout with a bottom tab bar; its routes are pages under
// it (a detail, a form). Tabs are for every signed-in person: what each may see is the
// server's answer, never a role name here.
export const phoneTabs = [
  {
    key: 'phoneActivities',
    path: '/m/activities',
    icon: 'flag-o',
    page: PhoneActivities,
    titleKey: 'phone.tabs.activities',
    routes: [
      { path: '/m/activities/:id', name: 'phoneActivity', page: PhoneActivity, titleKey: 'phone.activities.detail' },
      { path: '/m/checkin', name: 'phoneCheckin', page: PhoneCheckin, titleKey: 'phone.checkin.title' },
    ],
  },
  { key: 'phoneMine', path: '/m/mine', icon: 'medal-o', page: PhoneMine, titleKey: 'phone.tabs.mine' },
  {
    key: 'phoneServices',
    path: '/m/services',
    icon: 'service-o',
    page: ServicesTab,
    titleKey: 'phone.tabs.services',
    routes: [{ path: '/m/services/:code', name: 'phoneFileRequest', page: () => import('../servicenet/phone/FileRequestPage.vue') }],
  },
  {
    key: 'phoneRequests',
    path: '/m/requests',
    icon: 'todo-list-o',
    page: MyRequestsTab,
    titleKey: 'phone.tabs.requests',
    routes: [{ path: '/m/requests/:id', name: 'phoneRequest', page: () => import('../servicenet/phone/RequestDetailPage.vue') }],
  },
  {
    key: 'phoneArtery',
    path: '/m/artery',
    icon: 'cluster-o',
    page: ArteryPage,
    titleKey: 'artery.phone.tab',
    routes: [
      { path: '/m/artery/post', name: 'phoneArteryPost', page: PostPage, titleKey: 'artery.listings.create' },
      { path: '/m/artery/listings/:id', name: 'phoneArteryListing', page: ListingPage, titleKey: 'artery.listings.proposals' },
    ],
  },
  {
    key: 'phoneMe',
    path: '/m/me',
    icon: 'user-o',
    page: MePage,
    titleKey: 'phone.tabs.me',
    routes: [
      { path: '/m/me/party', name: 'phoneParty', page: PhoneParty, titleKey: 'party.phone.entry' },
      { path: '/m/me/mediation', name: 'phoneMediation', page: () => import('../mediation/phone/MyCasesPage.vue'), titleKey: 'mediation.phone.entry' },
      { path: '/m/me/mediation/:id', name: 'phoneMediationCase', page: () => import('../mediation/phone/CaseDetailPage.vue'), titleKey: 'mediation.phone.entry' },
      { path: '/m/me/aid', name: 'phoneAid', page: () => import('../care/phone/PhoneAid.vue'), titleKey: 'care.phone.aidTitle' },
      { path: '/m/me/childcare', name: 'phoneChildcare', page: () => import('../care/phone/PhoneChildcare.vue'), titleKey: 'care.phone.childcareTitle' },
    ],
  },
]
