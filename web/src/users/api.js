import { api, newIdempotencyKey } from '../api/client'

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
  create: (body) => api.post('/users', body, { headers: { 'Idempotency-Key': newIdempotencyKey() } }),
  grant: (id, role, scopeId) => api.post(`${path(id)}/grants`, { role, scope_id: scopeId }),
  revoke: (id, grantId) => api.del(`${path(id)}/grants/${encodeURIComponent(grantId)}`),
  resetPassword: (id, password) => api.post(`${path(id)}/password`, { password }),
}
