import { api, idempotent, ifMatch, request } from '../api/client'

const path = (id) => `/enterprises/${encodeURIComponent(id)}`

export const enterprisesApi = {
  // query: limit, cursor, q, park_id, industry, has_party_org (true|false)
  list: (query) => api.get('/enterprises', { query }),

  // get returns the enterprise and the If-Match value to send with a later PATCH: the ETag the
  // server sent, or the quoted version when a proxy dropped the header.
  async get(id) {
    const { data, headers } = await request('GET', path(id))
    return { enterprise: data, etag: headers.get('ETag') || `"${data.version}"` }
  },

  // key: the create form's Idempotency-Key (the same for every retry of one opening)
  create: (body, key) => api.post('/enterprises', body, idempotent(key)),

  update: (id, etag, patch) => api.patch(path(id), patch, { headers: { 'If-Match': etag } }),

  // version: of the enterprise as the user saw it; 412 when it changed since
  remove: (id, version) => api.del(path(id), ifMatch(version)),

  // export downloads the roster of every enterprise matching query (the list's filters and q,
  // format xlsx|csv)
  export: (query) => api.download('/enterprises/export', { query }),

  // the coverage report: every park in the caller's scope, or one (park_id)
  coverage: (query) => api.get('/reports/coverage', { query }),

  // coverageExport downloads the coverage table (format xlsx|csv, park_id), scoped as the report
  coverageExport: (query) => api.download('/reports/coverage/export', { query }),
}

// listParks returns the parks the caller can see (for filters and the park picker).
export async function listParks() {
  const out = []
  let cursor
  do {
    const page = await api.get('/parks', { query: { limit: 200, cursor } })
    out.push(...(page.items || []))
    cursor = page.next_cursor
  } while (cursor)
  return out
}

// Money is kept in fen; the console shows and takes monthly output in 万元 (10,000 yuan).
export const FEN_PER_WAN = 1000000

export function fenToWan(fen) {
  return fen === null || fen === undefined ? null : fen / FEN_PER_WAN
}

export function wanToFen(wan) {
  return wan === null || wan === undefined || wan === '' ? null : Math.round(Number(wan) * FEN_PER_WAN)
}
