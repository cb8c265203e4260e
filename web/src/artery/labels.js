// The stable codes of the artery and their catalogue keys.
export const kinds = ['need', 'offer']
export const categories = ['technology', 'talent', 'capacity', 'material', 'market']
export const stages = ['upstream', 'midstream', 'downstream']
export const cooperationTypes = ['research', 'chain', 'talent', 'capacity']
export const matchStatuses = ['proposed', 'contacted', 'agreed', 'declined']
export const cooperationStatuses = ['planned', 'active', 'completed', 'cancelled']

// explanation picks the proposal's explanation in the console's language.
export function explanation(p, locale) {
  return (p.explanation && (p.explanation[locale] || p.explanation['zh-CN'])) || ''
}
