import { reactive } from 'vue'
import { ApiError, api, setCsrfToken } from '../api/client'
import { i18n } from '../i18n'

// The signed-in user, as GET /auth/session describes them. The session itself lives in an
// HttpOnly cookie; the CSRF token that unsafe calls must carry is kept in memory only.
// permissions and allZones come from the server and say what the user may do where; the
// console asks them through can() and canOn() (permissions.js), never through role names.
// personId names the people record an account is bound to (an account made by an invitation, used
// on the phone pages), else null.
export const session = reactive({ user: null, loaded: false, allZones: false, permissions: [], expiresAt: null, personId: null })

function signedOut() {
  Object.assign(session, { user: null, allZones: false, permissions: [], expiresAt: null, personId: null })
  setCsrfToken('')
}

// loadSession asks the server who is signed in. A 401 means nobody; any other failure (server
// down) is thrown after treating the visitor as signed out.
export async function loadSession() {
  try {
    const s = await api.get('/auth/session', { expectUnauthorized: true })
    Object.assign(session, {
      user: s.user,
      // the people record the account is bound to (a worker or volunteer on their phone)
      personId: s.person_id || null,
      allZones: s.all_zones === true,
      permissions: Array.isArray(s.permissions) ? s.permissions : [],
      expiresAt: s.expires_at || null,
      personId: s.person_id || null,
    })
    setCsrfToken(s.csrf_token)
  } catch (err) {
    signedOut()
    if (err.status !== 401) throw err
  } finally {
    session.loaded = true
  }
}

export async function login(username, password) {
  await api.post('/auth/login', { username, password }, { expectUnauthorized: true })
  await signedIn()
}

// signedIn loads the session a sign-in answer has just opened (its cookie). Signed in, yet the
// next call is not: the browser refused the cookie (e.g. a Secure cookie over plain http) — say
// so rather than silently showing the sign-in page again.
async function signedIn() {
  await loadSession()
  if (!session.user) throw new ApiError(401, { title: i18n.global.t('errors.cookie') })
}

// phoneLogin signs in with a phone number and either a password or an SMS code.
export async function phoneLogin(phone, { password, smsCode }) {
  const body = { phone }
  if (smsCode) body.sms_code = smsCode
  else body.password = password
  await api.post('/auth/phone-login', body, { expectUnauthorized: true })
  await signedIn()
}

// acceptInvitation accepts the invitation of token ({ phone, password, sms_code? }): the account
// is made and signed in.
export async function acceptInvitation(token, body) {
  await api.post(`/invitations/by-token/${encodeURIComponent(token)}/accept`, body, { expectUnauthorized: true })
  await signedIn()
}

export async function logout() {
  try {
    await api.post('/auth/logout', undefined, { expectUnauthorized: true })
  } finally {
    signedOut()
  }
}

// forgetSession is called when any call answers 401: the session has ended on the server.
export function forgetSession() {
  signedOut()
}
