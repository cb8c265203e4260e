import { api, idempotent, ifMatch, request } from '../api/client'

const path = (id) => `/orgs/${encodeURIComponent(id)}`

export const KINDS = ['working_committee', 'committee', 'general_branch', 'branch', 'joint_branch']

export const WARNING_CODES = [
  'branch_too_large',
  'committee_required',
  'enterprise_needs_org',
  'members_out_of_contact',
  'term_ending',
  'term_overdue',
]

export const orgsApi = {
  list: (query) => api.get('/orgs', { query }),

  // tree: the flat tree ({items: [{id, parent_id, …, members, enterprises, children}], truncated})
  tree: (query) => api.get('/orgs/tree', { query }),

  // get returns the organisation (with warnings) and the If-Match value for a later PATCH.
  async get(id) {
    const { data, headers } = await request('GET', path(id))
    return { org: data, etag: headers.get('ETag') || `"${data.version}"` }
  },

  create: (body, key) => api.post('/orgs', body, idempotent(key)),

  update: (id, etag, patch) => api.patch(path(id), patch, { headers: { 'If-Match': etag } }),

  remove: (id, version) => api.del(path(id), ifMatch(version)),

  warnings: (query) => api.get('/reports/org-warnings', { query }),

  // export downloads the roster of every organisation matching query (the tree's park filter),
  // in tree order, as query.format (xlsx or csv).
  export: (query) => api.download('/orgs/export', { query }),

  // The pickers' sources (other domains' routes, shapes as API.md names them).
  parks: () => api.get('/parks', { query: { limit: 200 } }),
  enterprises: (parkId, q) => api.get('/enterprises', { query: { park_id: parkId, q, limit: 200 } }),
  members: (orgId) => api.get('/people', { query: { org_id: orgId, is_member: true, limit: 200 } }),
}

// nest turns the flat tree into el-tree data: an item whose parent is not among the items is a
// root (a secretary's tree starts at their organisation).
export function nest(items) {
  const byId = new Map(items.map((n) => [n.id, { ...n, children: [] }]))
  const roots = []
  for (const n of byId.values()) {
    const parent = n.parent_id && byId.get(n.parent_id)
    if (parent) parent.children.push(n)
    else roots.push(n)
  }
  return { roots, byId }
}

// ancestors lists the ids above id in the tree (nearest first), for canOn().
export function ancestors(byId, id) {
  const out = []
  let n = byId.get(id)
  while (n && n.parent_id) {
    out.push(n.parent_id)
    n = byId.get(n.parent_id)
  }
  return out
}
