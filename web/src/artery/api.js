import { api, idempotent, ifMatch } from '../api/client'

const one = (base) => (id) => `${base}/${encodeURIComponent(id)}`
const listing = one('/listings')
const match = one('/matches')
const cooperation = one('/cooperations')
const chain = one('/chains')

export const arteryApi = {
  listings: (query) => api.get('/listings', { query }),
  createListing: (body, key) => api.post('/listings', body, idempotent(key)),
  updateListing: (id, version, patch) => api.patch(listing(id), patch, ifMatch(version)),
  proposals: (id, limit = 10) => api.get(`${listing(id)}/proposals`, { query: { limit } }),

  matches: (query) => api.get('/matches', { query }),
  createMatch: (body, key) => api.post('/matches', body, idempotent(key)),
  actOnMatch: (id, action, note) => api.post(`${match(id)}/actions`, { action, note: note || '' }),

  cooperations: (query) => api.get('/cooperations', { query }),
  cooperation: (id) => api.get(cooperation(id)),
  createCooperation: (body, key) => api.post('/cooperations', body, idempotent(key)),
  updateCooperation: (id, version, patch) => api.patch(cooperation(id), patch, ifMatch(version)),
  actOnCooperation: (id, action) => api.post(`${cooperation(id)}/actions`, { action }),

  chains: (query) => api.get('/chains', { query }),
  // the chains and segments the caller may place a listing on (an enterprise's contact too)
  chainOptions: () => api.get('/chain-options'),
  createChain: (body, key) => api.post('/chains', body, idempotent(key)),
  chainMap: (id) => api.get(`${chain(id)}/map`),
  exportChainMap: (id) => api.download(`${chain(id)}/map/export`, { query: { format: 'xlsx' } }),

  institutes: (query) => api.get('/institutes', { query }),
  enterprises: (query) => api.get('/enterprises', { query }),
}

