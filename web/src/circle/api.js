import { api, idempotent, ifMatch, request } from '../api/client'

// all reads every page of a list (up to max rows): the map draws them all.
async function all(path, query = {}, max = 5000) {
  const items = []
  let cursor = ''
  do {
    const page = await api.get(path, { query: { ...query, limit: 200, cursor } })
    items.push(...(page.items || []))
    cursor = page.next_cursor || ''
  } while (cursor && items.length < max)
  return items
}

// optional reads a list that another domain serves (service points, service requests): until
// that domain is on the server, its answer is not 200, and the layer is empty.
async function optional(path) {
  try {
    return await all(path, {}, 2000)
  } catch {
    return []
  }
}

export const circleApi = {
  categories: () => api.get('/resource-categories'),
  resources: () => all('/resources'),
  roads: () => api.get('/road-network'),
  outlines: () => api.get('/park-outlines'),
  circle: (query) => api.get('/living-circle', { query }),
  coverage: (query) => api.get('/living-circle/coverage', { query }),
  servicePoints: () => optional('/service-points'),
  serviceRequests: () => optional('/service-requests'),
}

const resourcePath = (id) => `/resources/${encodeURIComponent(id)}`

export const resourcesApi = {
  list: (query) => api.get('/resources', { query }),
  async get(id) {
    const { data, headers } = await request('GET', resourcePath(id))
    return { resource: data, etag: headers.get('ETag') || `"${data.version}"` }
  },
  create: (body, key) => api.post('/resources', body, idempotent(key)),
  update: (id, etag, patch) => api.patch(resourcePath(id), patch, { headers: { 'If-Match': etag } }),
  remove: (id, version) => api.del(resourcePath(id), ifMatch(version)),
  updateCategory: (id, version, patch) => api.patch(`/resource-categories/${encodeURIComponent(id)}`, patch, ifMatch(version)),
}
