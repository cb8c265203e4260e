// Where the console goes after sign-in, and the only redirect targets it accepts.
export const HOME = '/parks'

// safeRedirect accepts only a path inside the console, never another origin ("//host").
export function safeRedirect(value) {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') ? value : HOME
}
