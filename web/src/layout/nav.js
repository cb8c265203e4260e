import { can } from '../auth/permissions'

// The navigation follows PRODUCT.md: the 3.14π spine, the three pillars, and the system pages.
// An item without `page` is not built yet: its route shows a plain "not available" sentence.
// `allowed` hides the item (and guards its route) for users without the permission it needs;
// it asks can() (auth/permissions.js), never role names.
export const navGroups = [
  {
    key: 'dashboard',
    items: [{ key: 'matrix', path: '/dashboard', page: () => import('../matrix/MatrixPage.vue'), allowed: () => can('dashboard.read') }],
  },
  {
    key: 'pillar1',
    items: [
      { key: 'parks', path: '/parks', page: () => import('../parks/ParksPage.vue') },
      {
        key: 'enterprises',
        path: '/enterprises',
        page: () => import('../enterprises/EnterprisesPage.vue'),
        allowed: () => can('enterprise.read'),
        routes: [{ path: '/enterprises/:id', name: 'enterprise', page: () => import('../enterprises/EnterpriseDetailPage.vue'), titleKey: 'enterprises.detail' }],
      },
      { key: 'coverage', path: '/coverage', page: () => import('../enterprises/CoveragePage.vue'), allowed: () => can('report.coverage') },
      {
        key: 'orgs',
        path: '/orgs',
        page: () => import('../orgs/OrgsPage.vue'),
        allowed: () => can('org.read'),
        routes: [{ path: '/orgs/:id', name: 'orgDetail', page: () => import('../orgs/OrgDetailPage.vue'), titleKey: 'orgs.detailTitle' }],
      },
      { key: 'orgWarnings', path: '/org-warnings', page: () => import('../orgs/WarningsPage.vue'), allowed: () => can('org.read') },
      {
        key: 'people',
        path: '/people',
        page: () => import('../people/PeoplePage.vue'),
        allowed: () => can('person.read'),
        routes: [{ path: '/people/:id', name: 'person', page: () => import('../people/PersonPage.vue'), titleKey: 'people.detailTitle' }],
      },
      { key: 'stations', path: '/stations', page: () => import('../stations/StationsPage.vue'), allowed: () => can('station.read') },
      { key: 'alliances', path: '/alliances', page: () => import('../alliances/AlliancesPage.vue'), allowed: () => can('alliance.read') },
      {
        key: 'workshops',
        path: '/workshops',
        page: () => import('../workshops/WorkshopsPage.vue'),
        allowed: () => can('workshop.read'),
        routes: [{ path: '/workshops/:id', name: 'workshop', page: () => import('../workshops/WorkshopPage.vue'), titleKey: 'workshops.detailTitle' }],
      },
      {
        key: 'activities',
        path: '/activities',
        page: () => import('../activities/ActivitiesPage.vue'),
        allowed: () => can('activity.read'),
        routes: [{ path: '/activities/:id', name: 'activity', page: () => import('../activities/ActivityPage.vue'), titleKey: 'activities.detailTitle' }],
      },
      { key: 'corrections', path: '/activity-corrections', page: () => import('../activities/CorrectionsPage.vue'), allowed: () => can('activity.roster') },
      { key: 'talent', path: '/talent', page: () => import('../care/TalentPage.vue'), allowed: () => can('care.read') },
      { key: 'mutualAid', path: '/mutual-aid', page: () => import('../care/AidPage.vue'), allowed: () => can('aid.read') },
      { key: 'childcare', path: '/childcare', page: () => import('../care/ChildcarePage.vue'), allowed: () => can('care.read') },
    ],
  },
  {
    key: 'party',
    items: [
      { key: 'partyDues', path: '/party-dues', page: () => import('../partyaffairs/DuesPage.vue'), allowed: () => can('party.read') },
      { key: 'partyElections', path: '/party-elections', page: () => import('../partyaffairs/ElectionsPage.vue'), allowed: () => can('party.read') },
      { key: 'partyDevelopment', path: '/party-development', page: () => import('../partyaffairs/DevelopmentPage.vue'), allowed: () => can('party.read') },
      {
        key: 'brands',
        path: '/brands',
        page: () => import('../partyaffairs/BrandsPage.vue'),
        allowed: () => can('brand.read'),
        routes: [{ path: '/brands/:id', name: 'brand', page: () => import('../partyaffairs/BrandPage.vue'), titleKey: 'party.brands.title' }],
      },
      { key: 'innovations', path: '/innovations', page: () => import('../partyaffairs/InnovationsPage.vue'), allowed: () => can('brand.read') },
    ],
  },
  {
    key: 'pillar2',
    items: [
      { key: 'listings', path: '/listings', page: () => import('../artery/ListingsPage.vue'), allowed: () => can('artery.read') },
      { key: 'matching', path: '/matching', page: () => import('../artery/MatchesPage.vue'), allowed: () => can('artery.read') },
      { key: 'cooperations', path: '/cooperations', page: () => import('../artery/CooperationsPage.vue'), allowed: () => can('artery.read') },
      { key: 'chains', path: '/chains', page: () => import('../artery/ChainsPage.vue'), allowed: () => can('artery.read') },
    ],
  },
  {
    key: 'pillar3',
    items: [
      { key: 'servicePoints', path: '/service-points', page: () => import('../servicenet/PointsPage.vue'), allowed: () => can('service_point.read') },
      {
        key: 'serviceRequests',
        path: '/service-requests',
        page: () => import('../servicenet/RequestsPage.vue'),
        allowed: () => can('service_request.read'),
      },
      { key: 'serviceStats', path: '/service-stats', page: () => import('../servicenet/StatsPage.vue'), allowed: () => can('service_request.read') },
      {
        key: 'mediation',
        path: '/mediation',
        page: () => import('../mediation/MediationPage.vue'),
        allowed: () => can('mediation.manage') || can('mediation.mediate') || can('mediation.figures'),
        routes: [{ path: '/mediation/:id', name: 'mediationCase', page: () => import('../mediation/CasePage.vue'), titleKey: 'nav.items.mediation' }],
      },
      {
        key: 'mediationCalendar',
        path: '/mediation-calendar',
        page: () => import('../mediation/CalendarPage.vue'),
        allowed: () => can('mediation.manage') || can('mediation.mediate'),
      },
      { key: 'livingCircle', path: '/living-circle', page: () => import('../circle/MapPage.vue'), allowed: () => can('circle.read') },
      { key: 'resources', path: '/resources', page: () => import('../circle/ResourcesPage.vue'), allowed: () => can('circle.read') },
    ],
  },
  {
    key: 'system',
    items: [
      { key: 'zones', path: '/zones', page: () => import('../zones/ZonesPage.vue'), allowed: () => can('zone.manage') },
      { key: 'users', path: '/users', page: () => import('../users/UsersPage.vue'), allowed: () => can('user.manage') },
      { key: 'audit', path: '/audit', page: () => import('../audit/AuditPage.vue'), allowed: () => can('audit.read') },
      { key: 'password', path: '/password', page: () => import('../auth/PasswordPage.vue') },
    ],
  },
]
