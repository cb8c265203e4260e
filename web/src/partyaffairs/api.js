import { api, idempotent, ifMatch, request } from '../api/client'

const enc = encodeURIComponent

export const FUNCTIONS = ['political', 'development', 'governance', 'service']
export const LEVELS = ['zone', 'park', 'enterprise']
export const STAGES = ['application', 'activist', 'candidate', 'probationary', 'full']

// yuan shows an amount in fen as yuan with two decimals.
export const yuan = (fen) => (Number(fen || 0) / 100).toFixed(2)

// The bands of party dues (PRODUCT.md): the server computes the band and the amount; the form
// shows the same figures before it sends.
const BANDS = [
  { upTo: 300000, permille: 5 },
  { upTo: 500000, permille: 10 },
  { upTo: 1000000, permille: 15 },
  { upTo: 0, permille: 20 },
]
export function bandOf(baseFen) {
  const i = BANDS.findIndex((b) => b.upTo === 0 || baseFen <= b.upTo)
  return { band: i + 1, permille: BANDS[i].permille, amountFen: Math.floor((baseFen * BANDS[i].permille + 500) / 1000) }
}

async function withEtag(path) {
  const { data, headers } = await request('GET', path)
  return { row: data, etag: headers.get('ETag') || `"${data.version}"` }
}

export const duesApi = {
  list: (query) => api.get('/party-dues', { query }),
  record: (body, key) => api.post('/party-dues', body, idempotent(key)),
  remove: (id, version) => api.del(`/party-dues/${enc(id)}`, ifMatch(version)),
  arrears: (query) => api.get('/party-dues/arrears', { query }),
  exportArrears: (query) => api.download('/party-dues/arrears/export', { query: { format: 'xlsx', ...query } }),
}

export const electionsApi = {
  list: (query) => api.get('/party-elections', { query }),
  record: (body, key) => api.post('/party-elections', body, idempotent(key)),
  // reminders: the organisations whose term ends soon or has ended (the orgs' warnings)
  reminders: (code) => api.get('/reports/org-warnings', { query: { code, limit: 200 } }),
}

export const developmentApi = {
  list: (query) => api.get('/party-development', { query }),
  start: (body, key) => api.post('/party-development', body, idempotent(key)),
  advance: (id, version, body) => api.post(`/party-development/${enc(id)}/stages`, body, ifMatch(version)),
}

export const brandsApi = {
  list: (query) => api.get('/brands', { query }),
  get: (id) => withEtag(`/brands/${enc(id)}`),
  create: (body, key) => api.post('/brands', body, idempotent(key)),
  update: (id, etag, patch) => api.patch(`/brands/${enc(id)}`, patch, { headers: { 'If-Match': etag } }),
  remove: (id, version) => api.del(`/brands/${enc(id)}`, ifMatch(version)),
  evaluate: (id, body) => api.post(`/brands/${enc(id)}/evaluations`, body),
}

export const innovationsApi = {
  list: (query) => api.get('/innovations', { query }),
  get: (id) => withEtag(`/innovations/${enc(id)}`),
  create: (body, key) => api.post('/innovations', body, idempotent(key)),
  update: (id, etag, patch) => api.patch(`/innovations/${enc(id)}`, patch, { headers: { 'If-Match': etag } }),
  remove: (id, version) => api.del(`/innovations/${enc(id)}`, ifMatch(version)),
  report: (query) => api.get('/innovations/report', { query }),
  export: (query) => api.download('/innovations/export', { query: { format: 'xlsx', ...query } }),
}

export const myPartyApi = {
  get: () => api.get('/me/party'),
}

// Pickers for the forms: members, people, organisations and enterprises the caller may see.
export const pick = {
  people: (q, member) => api.get('/people', { query: { q, limit: 20, is_member: member === undefined ? undefined : String(member) } }),
  orgs: (q) => api.get('/orgs', { query: { q, limit: 50 } }),
  enterprises: (q) => api.get('/enterprises', { query: { q, limit: 50 } }),
}
