import { api, idempotent, ifMatch, request } from '../api/client'

const path = (id) => `/parks/${encodeURIComponent(id)}`

export const parksApi = {
  list: (query) => api.get('/parks', { query }),

  // get returns the park and the If-Match value to send with a later PATCH: the ETag the server
  // sent, or the quoted version when a proxy dropped the header.
  async get(id) {
    const { data, headers } = await request('GET', path(id))
    return { park: data, etag: headers.get('ETag') || `"${data.version}"` }
  },

  // key: the create form's Idempotency-Key (the same for every retry of one opening)
  create: (body, key) => api.post('/parks', body, idempotent(key)),

  update: (id, etag, patch) => api.patch(path(id), patch, { headers: { 'If-Match': etag } }),

  // version: of the park as the user saw it; 412 when it changed since
  remove: (id, version) => api.del(path(id), ifMatch(version)),
}
