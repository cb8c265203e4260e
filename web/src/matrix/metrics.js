// The figures of a matrix cell, and where each drills down to: the console page listing the
// records behind a cell, opened with the cell's level, function, period and park in its query.
export const METRICS = [
  { key: 'activities', page: '/activities' },
  { key: 'participants', page: '/activities' },
  { key: 'volunteer_hours', page: '/activities' },
  { key: 'requests_resolved', page: '/service-requests' },
  { key: 'cases_closed', page: '/mediation' },
  { key: 'cooperations', page: '/cooperations' },
  { key: 'innovations', page: '/innovations' },
]

export const LEVELS = ['zone', 'park', 'enterprise']
export const FUNCTIONS = ['political', 'development', 'governance', 'service']

// drillQuery is the query a record list receives for one cell.
export function drillQuery(cell, filter) {
  const q = { level: cell.level, function: cell.function }
  if (filter.from) q.from = filter.from
  if (filter.to) q.to = filter.to
  if (filter.park_id) q.park_id = filter.park_id
  return q
}

// monthsBetween lists every month from first to last ("2022-11"), so a trend shows the months
// without figures as zeros.
export function monthsBetween(first, last) {
  const out = []
  if (!first || !last) return out
  let [y, m] = first.split('-').map(Number)
  const [ly, lm] = last.split('-').map(Number)
  while (y < ly || (y === ly && m <= lm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`)
    m++
    if (m > 12) {
      m = 1
      y++
    }
  }
  return out
}
