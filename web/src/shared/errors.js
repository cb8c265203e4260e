import { reactive, ref, watch } from 'vue'
import { ElMessage } from 'element-plus'
import { ApiError } from '../api/client'
import { i18n } from '../i18n'
import { useIdempotencyKey } from './idempotency'

// showError tells the user why a call failed: the server's translated detail (or title) in a
// message. A 401 is not shown: the client has already sent the user to the sign-in page.
export function showError(err, extra = []) {
  if (err instanceof ApiError) {
    if (err.redirected) return
    const text = [err.userMessage, ...extra].filter(Boolean).join(' ')
    ElMessage({ type: 'error', message: text, grouping: true, showClose: true, duration: err.status === 429 ? 8000 : 4000 })
    return
  }
  console.error(err)
  ElMessage({ type: 'error', message: i18n.global.t('errors.unexpected'), grouping: true })
}

// useFormErrors keeps one error text per form field, bound to el-form-item's :error. report()
// puts each problem+json errors[].message under the field named errors[].field and shows the
// problem's detail; messages for fields the form does not have (or does not show now:
// shown(field) is false) go into that message. Given the form's model, a field's error goes
// away as soon as its value changes.
//
// The server judges every value, in the user's language. So the el-form-items carry `required`
// for the asterisk but no `prop`: without a prop Element Plus runs no check of its own (it
// would show its untranslated "name is required" on blur or when a dialog is reset).
export function useFormErrors(fields, shown = () => true, model = null) {
  const errors = reactive(Object.fromEntries(fields.map((f) => [f, ''])))

  function clear() {
    for (const f of fields) errors[f] = ''
  }

  if (model) {
    for (const f of fields) {
      if (f in model) watch(() => model[f], () => (errors[f] = ''))
    }
  }

  function report(err) {
    clear()
    const unplaced = []
    let placed = 0
    if (err instanceof ApiError) {
      for (const e of err.fieldErrors) {
        if (fields.includes(e.field) && shown(e.field)) {
          errors[e.field] = errors[e.field] ? `${errors[e.field]} ${e.message}` : e.message
          placed++
        } else if (e.message) {
          unplaced.push(e.message)
        }
      }
    }
    // When every message stands under its field, a toast would only repeat it.
    if (placed > 0 && unplaced.length === 0) return
    showError(err, unplaced)
  }

  // The Idempotency-Key of the form's creating request (see idempotency.js): a new one each time
  // the form opens, the same one for every try until one succeeds.
  const key = useIdempotencyKey()

  // open starts a fresh form: no errors shown, a new Idempotency-Key.
  function open() {
    clear()
    key.renew()
  }

  // submit runs one save at a time: errors cleared first, a failure reported on the form and
  // then handed to onError (e.g. to reload a record that changed meanwhile). fn receives the
  // form's Idempotency-Key; a form that creates sends it (api.post(…, idempotent(key))).
  const saving = ref(false)
  async function submit(fn, onError) {
    if (saving.value) return
    saving.value = true
    clear()
    try {
      await fn(key.value)
      key.renew() // spent: the next request of this form is a new one
    } catch (err) {
      report(err)
      if (onError) await onError(err)
    } finally {
      saving.value = false
    }
  }

  return { errors, clear, open, report, saving, submit }
}
