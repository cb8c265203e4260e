import { api, idempotent, request } from '../api/client'

const path = (id) => `/activities/${encodeURIComponent(id)}`

export const activitiesApi = {
  list: (query) => api.get('/activities', { query }),

  // get returns the activity and the If-Match value for a later PATCH.
  async get(id) {
    const { data, headers } = await request('GET', path(id))
    return { activity: data, etag: headers.get('ETag') || `"${data.version}"` }
  },

  create: (body, key) => api.post('/activities', body, idempotent(key)),
  update: (id, etag, patch) => api.patch(path(id), patch, { headers: { 'If-Match': etag } }),
  remove: (id, etag) => api.del(path(id), { headers: { 'If-Match': etag } }),
  action: (id, action) => api.post(`${path(id)}/${action}`),

  signups: (id, query) => api.get(`${path(id)}/signups`, { query }),
  signUp: (id, body) => api.post(`${path(id)}/signups`, body),
  cancelSignup: (id, signupId) => api.del(`${path(id)}/signups/${encodeURIComponent(signupId)}`),
  mintCode: (id) => api.post(`${path(id)}/checkin-codes`, { ttl_seconds: 120 }),
  enterHours: (id, personId, body) => request('PUT', `${path(id)}/hours/${encodeURIComponent(personId)}`, { body }).then((r) => r.data),
  exportAttendance: (id) => api.download(`${path(id)}/attendance`, { query: { format: 'xlsx' } }),

  corrections: (query) => api.get('/activity-corrections', { query }),
  requestCorrection: (id, body) => api.post(`${path(id)}/corrections`, body),
  decide: (id, correctionId, body) => api.post(`${path(id)}/corrections/${encodeURIComponent(correctionId)}/decision`, body),

  // the person-facing calls (an account bound to a person)
  open: (query) => api.get('/me/activities', { query }),
  openOne: (id) => api.get(`/me/activities/${encodeURIComponent(id)}`),
  mySignups: () => api.get('/me/signups'),
  checkIn: (body) => api.post('/checkins', body),
  newCalendarToken: () => api.post('/me/calendar-token'),
  revokeCalendarToken: () => api.del('/me/calendar-token'),
  hours: (personId) => api.get(`/people/${encodeURIComponent(personId)}/hours`),
  certificateURL: (activityId, signupId) => `/api/v1${path(activityId)}/signups/${encodeURIComponent(signupId)}/certificate`,
}

// The organisers a caller may choose: the zone, parks, stations, party organisations, alliances.
export async function listOrganizers() {
  const get = (p) => api.get(p, { query: { limit: 200 } }).then((r) => r.items || []).catch(() => [])
  const [zones, parks, stations, orgs, alliances] = await Promise.all(['/zones', '/parks', '/stations', '/orgs', '/alliances'].map(get))
  return { zones, parks, stations, orgs, alliances }
}

export const listPeople = (query) => api.get('/people', { query })
