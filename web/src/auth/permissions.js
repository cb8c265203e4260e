import { computed } from 'vue'
import { session } from './session'

// What the signed-in user may do, from the session's permissions: per scope node the user holds
// grants on, the permission names (park.read, park.update, park.manage, user.manage, audit.read,
// zone.read, zone.manage, …) those grants give on that node and everything under it. The
// console only hides what the user cannot use; the server decides every call on its own.
//
//   can(perm)              the user holds perm on some node (menus, "create" buttons)
//   canOn(perm, ...ids)    the user holds perm on one of the given nodes — a row lies under its
//                          zone and its own node: canOn('park.update', park.zone_id, park.id).
//                          A platform administrator (all_zones) holds their permissions in
//                          every zone, so for them canOn(perm, …) is can(perm).
//
// Both read reactive state: templates and computeds that call them follow a new session.

// perm → the ids of the nodes it is held on
const held = computed(() => {
  const out = new Map()
  for (const p of session.permissions) {
    for (const perm of p.perms || []) {
      if (!out.has(perm)) out.set(perm, new Set())
      out.get(perm).add(p.scope_id)
    }
  }
  return out
})

export function can(perm) {
  return held.value.has(perm)
}

export function canOn(perm, ...nodeIds) {
  const nodes = held.value.get(perm)
  if (!nodes) return false
  if (session.allZones) return true
  return nodeIds.some((id) => id && nodes.has(id))
}
