// Where the console goes after sign-in, and the only redirect targets it accepts.
export const HOME = '/parks'

// safeRedirect accepts only a path inside the console, never another origin ("//host").
export function safeRedirect(value) {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') ? value : HOME
}

// The phone pages live under /m/; sign-in there comes back to a phone page only.
export const PHONE_HOME = '/m/me'

export function isPhonePath(value) {
  return typeof value === 'string' && (value === '/m' || value.startsWith('/m/'))
}

export function safePhoneRedirect(value) {
  return isPhonePath(value) && !value.startsWith('/m/login') ? value : PHONE_HOME
}
