import { loadScopes } from '../shared/scopes'

// The scope tree the caller sees, read once per page: the parks, enterprises and party
// organisations to offer in filters and forms, and each node's ancestors, so that a person (who
// hangs under their zone, enterprise and organisation) can be matched against the nodes the
// caller holds a permission on: canOn(perm, ...ancestors(person)).
export async function peopleScopes() {
  let tree = []
  try {
    tree = (await loadScopes()).tree
  } catch (err) {
    if (err.status === 401) throw err
  }
  const up = new Map() // id → ids from the node up to its root
  const byKind = { park: [], enterprise: [], org: [] }
  const walk = (nodes, above) => {
    for (const n of nodes) {
      const chain = [n.id, ...above]
      up.set(n.id, chain)
      if (byKind[n.kind]) byKind[n.kind].push({ id: n.id, name: n.name })
      walk(n.children || [], chain)
    }
  }
  walk(tree, [])
  const ancestors = (person) => {
    const ids = [person.zone_id, person.enterprise_id, person.party?.org_id].filter(Boolean)
    return [...new Set(ids.flatMap((id) => up.get(id) || [id]))]
  }
  return { parks: byKind.park, enterprises: byKind.enterprise, orgs: byKind.org, ancestors }
}
