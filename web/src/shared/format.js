import { currentLocale } from '../i18n'

// formatDateTime shows an RFC 3339 instant in the browser's local time zone.
export function formatDateTime(value) {
  if (!value) return ''
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) return String(value)
  return new Intl.DateTimeFormat(currentLocale(), {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(d)
}

function scalar(v) {
  if (v === null || v === undefined) return '∅'
  if (typeof v === 'string') return v
  return JSON.stringify(v)
}

// formatChange shows one audit summary value. A change is recognised as [old, new],
// {old, new} or {from, to}; anything else is shown as compact JSON.
function formatChange(v) {
  if (Array.isArray(v) && v.length === 2) return `${scalar(v[0])} → ${scalar(v[1])}`
  if (v && typeof v === 'object') {
    if ('old' in v || 'new' in v) return `${scalar(v.old)} → ${scalar(v.new)}`
    if ('from' in v || 'to' in v) return `${scalar(v.from)} → ${scalar(v.to)}`
  }
  return scalar(v)
}

// formatSummary turns an audit entry's summary object into "key: old → new; key: value".
export function formatSummary(summary) {
  if (summary === null || summary === undefined) return ''
  if (typeof summary !== 'object' || Array.isArray(summary)) return scalar(summary)
  return Object.entries(summary)
    .map(([k, v]) => `${k}: ${formatChange(v)}`)
    .join('; ')
}
