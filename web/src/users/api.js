import { api, idempotent } from '../api/client'

const path = (id) => `/users/${encodeURIComponent(id)}`

// The roles of API.md, in the order the grant dialog offers them.
export const ROLES = [
  'platform_admin',
  'zone_admin',
  'park_admin',
  'org_secretary',
  'service_staff',
  'mediator',
  'partner',
  'member',
  'auditor',
]

export const usersApi = {
  list: (query) => api.get('/users', { query }),
  // key: the form's Idempotency-Key (the same for every retry of one opening of the dialog)
  create: (body, key) => api.post('/users', body, idempotent(key)),
  grant: (id, role, scopeId, key) => api.post(`${path(id)}/grants`, { role, scope_id: scopeId }, idempotent(key)),
  revoke: (id, grantId) => api.del(`${path(id)}/grants/${encodeURIComponent(grantId)}`),
  resetPassword: (id, password) => api.post(`${path(id)}/password`, { password }),
}
