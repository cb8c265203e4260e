import { api, idempotent, ifMatch, request } from '../api/client'

const path = (id) => `/workshops/${encodeURIComponent(id)}`

export const workshopsApi = {
  list: (query) => api.get('/workshops', { query }),

  // get returns the workshop and the If-Match value for its next change.
  async get(id) {
    const { data, headers } = await request('GET', path(id))
    return { workshop: data, etag: headers.get('ETag') || `"${data.version}"` }
  },

  create: (body, key) => api.post('/workshops', body, idempotent(key)),
  update: (id, etag, patch) => api.patch(path(id), patch, { headers: { 'If-Match': etag } }),
  remove: (id, version) => api.del(path(id), ifMatch(version)),

  // One month's output value (fen); each change makes a new version of the workshop.
  setOutput: (id, month, fen, version) =>
    request('PUT', `${path(id)}/outputs/${encodeURIComponent(month)}`, { body: { output_fen: fen }, ...ifMatch(version) }).then((r) => r.data),
  removeOutput: (id, month, version) => api.del(`${path(id)}/outputs/${encodeURIComponent(month)}`, ifMatch(version)),
}

// The surroundings a workshop is made of, from their own APIs.
export const listEnterprises = (query) => api.get('/enterprises', { query })
export const listOrgs = (query) => api.get('/orgs', { query })
export const listPeople = (query) => api.get('/people', { query })

// Money is kept in fen; the console shows 万元 (10,000 yuan = 1,000,000 fen).
export const FEN_PER_WAN = 1_000_000
export const toWan = (fen) => fen / FEN_PER_WAN
export const fromWan = (wan) => Math.round(Number(wan) * FEN_PER_WAN)
