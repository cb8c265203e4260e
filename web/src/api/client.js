import { currentLocale, i18n } from '../i18n'

// One fetch wrapper for the whole console. It sends the language and, on unsafe methods, the
// CSRF token of the cookie session; it turns problem+json answers into ApiError; and it reports
// a 401 to whoever registered onUnauthorized (the router, which goes to the sign-in page).

const BASE = '/api/v1'
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

let csrfToken = ''
let unauthorizedHandler = () => {}

export function setCsrfToken(token) {
  csrfToken = token || ''
}

export function onUnauthorized(fn) {
  unauthorizedHandler = fn
}

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`)
    this.status = status
    this.problem = problem
    // true when a 401 already sent the user to the sign-in page, so nobody needs to show it
    this.redirected = false
  }

  // The text to show the user: the server's translated detail, else its title.
  get userMessage() {
    return this.problem.detail || this.problem.title || i18n.global.t('errors.http', { status: this.status })
  }

  // errors[] of a 422 (or any problem that carries them): [{field, code, message}].
  get fieldErrors() {
    return Array.isArray(this.problem.errors) ? this.problem.errors : []
  }
}

async function readProblem(res) {
  const type = res.headers.get('Content-Type') || ''
  if (type.includes('json')) {
    try {
      const body = await res.json()
      if (body && typeof body === 'object') return body
    } catch {
      // fall through to the generic problem below
    }
  }
  return { title: i18n.global.t('errors.http', { status: res.status }), status: res.status }
}

// request performs one API call. path is relative to /api/v1; query values that are empty are
// left out. It resolves to { data, headers, status } (data is null for 204) and rejects with
// ApiError for any non-2xx answer or a network failure (status 0). file (a File or Blob) is sent
// as the body as it is, with its own type, instead of a JSON body; blob: true resolves data to
// the answer as a Blob (a download) instead of parsing JSON.
export async function request(method, path, { query, body, file, blob = false, headers = {}, expectUnauthorized = false } = {}) {
  let url = BASE + path
  if (query) {
    const qs = new URLSearchParams()
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== null && v !== '') qs.set(k, String(v))
    }
    const s = qs.toString()
    if (s) url += '?' + s
  }
  const h = { Accept: 'application/json, application/problem+json', 'Accept-Language': currentLocale(), ...headers }
  if (UNSAFE.has(method) && csrfToken) h['X-CSRF-Token'] = csrfToken
  const init = { method, headers: h, credentials: 'same-origin' }
  if (file !== undefined) {
    h['Content-Type'] = file.type || 'application/octet-stream'
    init.body = file
  } else if (body !== undefined) {
    h['Content-Type'] = 'application/json'
    init.body = JSON.stringify(body)
  }

  let res
  try {
    res = await fetch(url, init)
  } catch {
    throw new ApiError(0, { title: i18n.global.t('errors.network') })
  }

  if (!res.ok) {
    const problem = await readProblem(res)
    const err = new ApiError(res.status, problem)
    if (res.status === 401 && !expectUnauthorized) {
      err.redirected = true
      unauthorizedHandler()
    }
    throw err
  }
  if (blob) return { data: await res.blob(), headers: res.headers, status: res.status }
  const text = await res.text()
  let data = null
  try {
    data = text ? JSON.parse(text) : null
  } catch {
    throw new ApiError(res.status, { title: i18n.global.t('errors.http', { status: res.status }) })
  }
  return { data, headers: res.headers, status: res.status }
}

export const api = {
  get: (path, opts) => request('GET', path, opts).then((r) => r.data),
  post: (path, body, opts) => request('POST', path, { ...opts, body }).then((r) => r.data),
  patch: (path, body, opts) => request('PATCH', path, { ...opts, body }).then((r) => r.data),
  del: (path, opts) => request('DELETE', path, opts).then((r) => r.data),
  // upload sends a File as the request body (a roster import)
  upload: (path, file, opts) => request('POST', path, { ...opts, file }).then((r) => r.data),
  // download fetches a file and hands it to the browser to save, under the name the server gave
  download: (path, opts) =>
    request('GET', path, { ...opts, blob: true }).then((r) => saveBlob(r.data, fileName(r.headers.get('Content-Disposition')))),
}

// fileName reads the name of a Content-Disposition: the UTF-8 filename* when present (Chinese
// names), else the plain filename.
export function fileName(disposition) {
  const d = disposition || ''
  const star = /filename\*=UTF-8''([^;]+)/i.exec(d)
  if (star) {
    try {
      return decodeURIComponent(star[1])
    } catch {
      // fall through to the plain name
    }
  }
  const plain = /filename="([^"]*)"/i.exec(d)
  return plain ? plain[1] : 'download'
}

function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}

// idempotent(key) and ifMatch(version) are the request options of a creating POST that may be
// retried (Idempotency-Key: the server answers a key it has seen with the first answer again, and
// does nothing twice) and of a write to the version of a record the user saw (If-Match: the
// server answers 412 when the record changed since).
export function idempotent(key) {
  return key ? { headers: { 'Idempotency-Key': key } } : {}
}

export function ifMatch(version) {
  return { headers: { 'If-Match': `"${version}"` } }
}

// newIdempotencyKey returns a random UUID. crypto.randomUUID exists only in secure contexts, and
// the console may well be opened over plain http on a zone's intranet, so fall back to
// getRandomValues, which is available everywhere.
export function newIdempotencyKey() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID()
  const b = crypto.getRandomValues(new Uint8Array(16))
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
