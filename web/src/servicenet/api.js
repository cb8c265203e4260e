import { api, idempotent, ifMatch, request } from '../api/client'

const rpath = (id) => `/service-requests/${encodeURIComponent(id)}`

export const servicenetApi = {
  catalogue: (zoneId) => api.get('/services', { query: { zone_id: zoneId } }),
  points: (query) => api.get('/service-points', { query }),
  // point returns a point and the If-Match value for a later PATCH.
  async point(id) {
    const { data, headers } = await request('GET', `/service-points/${encodeURIComponent(id)}`)
    return { point: data, etag: headers.get('ETag') || `"${data.version}"` }
  },
  createPoint: (body, key) => api.post('/service-points', body, idempotent(key)),
  updatePoint: (id, etag, patch) => api.patch(`/service-points/${encodeURIComponent(id)}`, patch, { headers: { 'If-Match': etag } }),
  removePoint: (id, version) => api.del(`/service-points/${encodeURIComponent(id)}`, ifMatch(version)),
  requests: (query) => api.get('/service-requests', { query }),
  request: (id) => api.get(rpath(id)),
  // reveal reads the request with the contact's phone in full (audited)
  reveal: (id) => api.get(rpath(id), { query: { reveal: 'true' } }),
  act: (id, body) => api.post(`${rpath(id)}/actions`, body),
  stats: () => api.get('/service-requests/stats'),
  // export downloads the queue as it is filtered (format xlsx|csv)
  export: (query) => api.download('/service-requests/export', { query }),
  notifications: () => api.get('/my/service-notifications', { query: { limit: 50 } }),

  // The worker's own requests (phone pages).
  mine: (query) => api.get('/my/service-requests', { query }),
  mineOne: (id) => api.get(`/my/service-requests/${encodeURIComponent(id)}`),
  fileMine: (body, key) => api.post('/my/service-requests', body, idempotent(key)),
  // addPhoto sends the image as it is (the server checks its bytes); the type is
  // application/octet-stream because the API takes no image/* bodies.
  addPhoto: (id, file) => api.upload(`${rpath(id)}/photos`, new Blob([file], { type: 'application/octet-stream' })),
}

// photoURL is where a photo is served (to those who may see its request).
export const photoURL = (id) => `/api/v1/service-request-photos/${encodeURIComponent(id)}`

// statusType is the tag colour of a request's state.
export function statusType(status) {
  return { submitted: 'warning', accepted: 'primary', assigned: 'primary', in_progress: 'primary', resolved: 'success', closed: 'info', rejected: 'danger' }[
    status
  ]
}

// countdown is the time left before due (negative: overdue), as {overdue, hours, minutes}.
export function countdown(dueAt, now) {
  const ms = new Date(dueAt).getTime() - now
  const abs = Math.abs(ms)
  return { overdue: ms < 0, hours: Math.floor(abs / 3600000), minutes: Math.floor((abs % 3600000) / 60000) }
}
