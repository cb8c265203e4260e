import { api, idempotent, ifMatch, request } from '../api/client'

const path = (id) => `/stations/${encodeURIComponent(id)}`

export const stationsApi = {
  list: (query) => api.get('/stations', { query }),

  // get returns the station and the If-Match value for a later PATCH.
  async get(id) {
    const { data, headers } = await request('GET', path(id))
    return { station: data, etag: headers.get('ETag') || `"${data.version}"` }
  },

  create: (body, key) => api.post('/stations', body, idempotent(key)),
  update: (id, etag, patch) => api.patch(path(id), patch, { headers: { 'If-Match': etag } }),
  remove: (id, version) => api.del(path(id), ifMatch(version)),
}

// The enterprises a station may cover: those of its park (GET /api/v1/enterprises?park_id=).
export const listEnterprises = (query) => api.get('/enterprises', { query })
