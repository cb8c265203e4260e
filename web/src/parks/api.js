import { api, newIdempotencyKey, request } from '../api/client'

const path = (id) => `/parks/${encodeURIComponent(id)}`

export const parksApi = {
  list: (query) => api.get('/parks', { query }),

  // get returns the park and the If-Match value to send with a later PATCH: the ETag the server
  // sent, or the quoted version when a proxy dropped the header.
  async get(id) {
    const { data, headers } = await request('GET', path(id))
    return { park: data, etag: headers.get('ETag') || `"${data.version}"` }
  },

  create: (body) => api.post('/parks', body, { headers: { 'Idempotency-Key': newIdempotencyKey() } }),

  update: (id, etag, patch) => api.patch(path(id), patch, { headers: { 'If-Match': etag } }),

  remove: (id) => api.del(path(id)),
}
