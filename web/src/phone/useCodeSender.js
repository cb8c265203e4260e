import { computed, onBeforeUnmount, ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { showToast } from 'vant'
import { api } from '../api/client'

// useCodeSender runs the "get a code" button of the phone forms: send(fn) calls fn (the request
// that makes the server send an SMS code), says so, and then counts down before the button works
// again; forPurpose(phone, purpose) asks /auth/sms-codes for a sign-in or reset code —
// the server refuses a second code within a minute anyway (429, shown with its wait). label is
// the button's text.
export function useCodeSender(report) {
  const { t } = useI18n()
  const left = ref(0)
  const sending = ref(false)
  let timer = null

  function countdown(seconds) {
    left.value = seconds
    clearInterval(timer)
    timer = setInterval(() => {
      left.value -= 1
      if (left.value <= 0) clearInterval(timer)
    }, 1000)
  }

  async function send(fn) {
    if (sending.value || left.value > 0) return false
    sending.value = true
    try {
      await fn()
      showToast(t('phone.code.sent'))
      countdown(60)
      return true
    } catch (err) {
      report(err)
      return false
    } finally {
      sending.value = false
    }
  }

  const forPurpose = (phone, purpose) => send(() => api.post('/auth/sms-codes', { phone: phone.trim(), purpose }))

  onBeforeUnmount(() => clearInterval(timer))
  const label = computed(() => (left.value > 0 ? t('phone.code.again', { n: left.value }) : t('phone.code.send')))
  return { send, forPurpose, sending, left, label }
}
