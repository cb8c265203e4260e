import { api, idempotent } from '../api/client'

export const zonesApi = {
  // {items: [{id, name, version, created_at, updated_at}], next_cursor, total}
  list: (query) => api.get('/zones', { query }),
  // key: the create dialog's Idempotency-Key (the same for every retry of one opening)
  create: (body, key) => api.post('/zones', body, idempotent(key)),
}
