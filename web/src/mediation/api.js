import { api, idempotent } from '../api/client'

const cpath = (id) => `/mediation-cases/${encodeURIComponent(id)}`

export const mediationApi = {
  cases: (query) => api.get('/mediation-cases', { query }),
  case: (id) => api.get(cpath(id)),
  open: (body, key) => api.post('/mediation-cases', body, idempotent(key)),
  preview: (body) => api.post('/mediation-cases/conflict-check', body),
  act: (id, body) => api.post(`${cpath(id)}/actions`, body),
  addParty: (id, body) => api.post(`${cpath(id)}/parties`, body),
  check: (id, mediatorId) => api.post(`${cpath(id)}/conflict-checks`, { mediator_id: mediatorId }),
  override: (id, checkId, reason) => api.post(`${cpath(id)}/conflict-checks/${encodeURIComponent(checkId)}/override`, { reason }),
  approve: (id, checkId) => api.post(`${cpath(id)}/conflict-checks/${encodeURIComponent(checkId)}/approve`),
  assign: (id, body) => api.post(`${cpath(id)}/assignment`, body),
  schedule: (id, body) => api.post(`${cpath(id)}/hearings`, body),
  note: (id, body) => api.post(`${cpath(id)}/notes`, body),
  saveAgreement: (id, body) => api.post(`${cpath(id)}/agreement`, body),
  sign: (id, partyId) => api.post(`${cpath(id)}/signatures`, { party_id: partyId }),
  pay: (id, body) => api.post(`${cpath(id)}/payments`, body),
  calendar: (query) => api.get('/mediation-hearings', { query }),
  mediators: (parkId) => api.get('/mediation-mediators', { query: { park_id: parkId } }),
  figures: (query) => api.get('/mediation-figures', { query }),
  rooms: (query) => api.get('/mediation-rooms', { query }),
  createRoom: (body, key) => api.post('/mediation-rooms', body, idempotent(key)),
  people: (q) => api.get('/people', { query: { q, limit: 20 } }),
  enterprises: (q) => api.get('/enterprises', { query: { q, limit: 20 } }),

  // The worker's own cases (phone pages).
  mine: (query) => api.get('/my/mediation-cases', { query }),
  fileMine: (body, key) => api.post('/my/mediation-cases', body, idempotent(key)),
  reminders: () => api.get('/my/mediation-reminders', { query: { limit: 20 } }),
}

// documentURL is the printable agreement; invitationURL a hearing's iCalendar invitation.
export const documentURL = (id) => `/api/v1${cpath(id)}/agreement/document`
export const invitationURL = (id) => `/api/v1/mediation-hearings/${encodeURIComponent(id)}/invitation`

export const types = ['work_injury', 'unpaid_wages', 'dismissal', 'social_insurance', 'other']
export const statuses = ['intake', 'accepted', 'scheduled', 'in_mediation', 'settled', 'failed', 'referred', 'closed', 'withdrawn']

// statusType is the tag colour of a case's state.
export function statusType(status) {
  return (
    { intake: 'warning', accepted: 'primary', scheduled: 'primary', in_mediation: 'primary', settled: 'success', failed: 'danger', referred: 'danger', closed: 'info', withdrawn: 'info' }[
      status
    ] || 'info'
  )
}

// yuan shows fen as yuan with two decimals; fen parses what a person typed (yuan) into fen.
export function yuan(fen) {
  const n = Number(fen || 0)
  return (n / 100).toFixed(2)
}

export function fen(yuanValue) {
  return Math.round(Number(yuanValue || 0) * 100)
}
