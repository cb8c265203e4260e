import { api } from '../api/client'

// loadScopes fetches the scope tree the caller may see (zone → park → …) and an index of its
// nodes by id, used to show a grant's scope by name.
export async function loadScopes() {
  const data = await api.get('/scopes')
  const tree = data.items || []
  const byId = new Map()
  const walk = (nodes, path) => {
    for (const n of nodes) {
      const here = [...path, n.name]
      byId.set(n.id, { ...n, path: here })
      walk(n.children || [], here)
    }
  }
  walk(tree, [])
  return { tree, byId }
}
