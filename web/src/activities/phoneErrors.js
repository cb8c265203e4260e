import { showToast } from 'vant'
import { ApiError } from '../api/client'
import { i18n } from '../i18n'

// errorText is what a phone page says when a call fails: the first field's message (the most
// specific), else the problem's detail, in the user's language.
export function errorText(err) {
  if (err instanceof ApiError) return err.fieldErrors[0]?.message || err.userMessage
  console.error(err)
  return i18n.global.t('errors.unexpected')
}

// toastError shows it as a Vant toast (a 401 has already sent the user to sign in).
export function toastError(err) {
  if (err instanceof ApiError && err.redirected) return
  showToast(errorText(err))
}
