import { api, idempotent, ifMatch } from '../api/client'

const one = (base) => (id) => `${base}/${encodeURIComponent(id)}`
const pair = one('/mentorships')
const team = one('/project-teams')
const profile = one('/rd-profiles')
const fund = one('/aid-funds')
const application = one('/aid-applications')
const klass = one('/childcare-classes')

export const careApi = {
  enterprises: (query) => api.get('/enterprises', { query }),
  people: (query) => api.get('/people', { query }),

  pairs: (query) => api.get('/mentorships', { query }),
  createPair: (body, key) => api.post('/mentorships', body, idempotent(key)),
  reviewPair: (id, body, key) => api.post(`${pair(id)}/reviews`, body, idempotent(key)),
  updatePair: (id, version, patch) => api.patch(pair(id), patch, ifMatch(version)),

  teams: (query) => api.get('/project-teams', { query }),
  createTeam: (body, key) => api.post('/project-teams', body, idempotent(key)),
  updateTeam: (id, version, patch) => api.patch(team(id), patch, ifMatch(version)),

  profiles: (query) => api.get('/rd-profiles', { query }),
  updateProfile: (id, version, patch) => api.patch(profile(id), patch, ifMatch(version)),

  funds: (query) => api.get('/aid-funds', { query }),
  createFund: (body, key) => api.post('/aid-funds', body, idempotent(key)),
  contribute: (id, body, key) => api.post(`${fund(id)}/contributions`, body, idempotent(key)),
  statement: (id, query) => api.get(`${fund(id)}/statement`, { query }),
  exportStatement: (id, query) => api.download(`${fund(id)}/statement/export`, { query: { ...query, format: 'xlsx' } }),
  applications: (query) => api.get('/aid-applications', { query }),
  apply: (body, key) => api.post('/aid-applications', body, idempotent(key)),
  actOnApplication: (id, action, note) => api.post(`${application(id)}/actions`, { action, note: note || '' }),

  classes: (query) => api.get('/childcare-classes', { query }),
  createClass: (body, key) => api.post('/childcare-classes', body, idempotent(key)),
  actOnClass: (id, action) => api.post(`${klass(id)}/actions`, { action }),
  enrolments: (id, query) => api.get(`${klass(id)}/enrolments`, { query }),
  enrol: (id, body, key) => api.post(`${klass(id)}/enrolments`, body, idempotent(key)),
  withdraw: (id, enrolmentId) => api.del(`${klass(id)}/enrolments/${encodeURIComponent(enrolmentId)}`),
  attendance: (id, body) => api.post(`${klass(id)}/attendance`, body),

  // the worker's own (phone)
  myFunds: () => api.get('/me/aid-funds'),
  myApplications: () => api.get('/me/aid-applications'),
  myStatement: () => api.get('/me/aid-statement'),
  applyAsSelf: (body, key) => api.post('/me/aid-applications', body, idempotent(key)),
  myClasses: () => api.get('/me/childcare-classes'),
  enrolMyChild: (id, body, key) => api.post(`/me/childcare-classes/${encodeURIComponent(id)}/enrolments`, body, idempotent(key)),
  withdrawMyChild: (id, enrolmentId) =>
    api.del(`/me/childcare-classes/${encodeURIComponent(id)}/enrolments/${encodeURIComponent(enrolmentId)}`),
}

// yuan shows an amount in fen as yuan with two decimals.
export const yuan = (fen) => (fen / 100).toFixed(2)
