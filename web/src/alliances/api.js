import { api, idempotent, ifMatch, request } from '../api/client'

const path = (id) => `/alliances/${encodeURIComponent(id)}`

export const alliancesApi = {
  list: (query) => api.get('/alliances', { query }),

  // get returns the alliance and the If-Match value for a later PATCH.
  async get(id) {
    const { data, headers } = await request('GET', path(id))
    return { alliance: data, etag: headers.get('ETag') || `"${data.version}"` }
  },

  create: (body, key) => api.post('/alliances', body, idempotent(key)),
  update: (id, etag, patch) => api.patch(path(id), patch, { headers: { 'If-Match': etag } }),
  remove: (id, version) => api.del(path(id), ifMatch(version)),
}

// The organisations an alliance may gather: GET /api/v1/orgs (park_id narrows to a park's).
export const listOrgs = (query) => api.get('/orgs', { query })
