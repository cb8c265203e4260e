import { api } from '../api/client'

export const matrixApi = {
  // query: from, to (YYYY-MM-DD), park_id, org_id, zone_id, trend (true)
  get: (query) => api.get('/dashboard/matrix', { query }),
}
