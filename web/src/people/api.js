import { api, idempotent, request } from '../api/client'

const path = (id) => `/people/${encodeURIComponent(id)}`

export const peopleApi = {
  // query: limit, cursor, q, enterprise_id, org_id, park_id, is_member, tag, phone, id_number
  list: (query) => api.get('/people', { query }),

  // get returns the person and the If-Match value for a later PATCH. reveal asks for phone and
  // ID number in clear: the server answers 403 without person.reveal, and audits each reveal.
  async get(id, reveal = false) {
    const { data, headers } = await request('GET', path(id), { query: reveal ? { reveal: 'true' } : undefined })
    return { person: data, etag: headers.get('ETag') || `"${data.version}"` }
  },

  // key: the create form's Idempotency-Key (the same for every retry of one opening)
  create: (body, key) => api.post('/people', body, idempotent(key)),

  update: (id, etag, patch) => api.patch(path(id), patch, { headers: { 'If-Match': etag } }),

  // etag: of the person as the user saw them; 412 when they changed since
  remove: (id, etag) => api.del(path(id), { headers: { 'If-Match': etag } }),

  // export downloads the roster of everyone matching query (the list's filters and q; phone and
  // ID number always masked) as format (xlsx, csv)
  export: (query) => api.download('/people/export', { query }),

  transfers: (id, query) => api.get(`${path(id)}/transfers`, { query }),

  transfer: (id, etag, body, key) =>
    api.post(`${path(id)}/transfers`, body, { headers: { 'If-Match': etag, ...idempotent(key).headers } }),
}

export const invitationsApi = {
  // query: limit, cursor, person_id, status
  list: (query) => api.get('/invitations', { query }),

  // body: { person_id, expires_in_hours }. Not idempotent by design: the answer holds the link's
  // token, which the server does not keep.
  create: (body) => api.post('/invitations', body),

  revoke: (id) => api.del(`/invitations/${encodeURIComponent(id)}`),
}
