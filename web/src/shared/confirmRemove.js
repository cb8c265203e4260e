import { ElMessage, ElMessageBox } from 'element-plus'
import { i18n } from '../i18n'
import { showError } from './errors'

// confirmRemove asks the user to confirm message; then it runs remove(), says "deleted" or shows
// the error, and calls after() either way (the list reloads: the row may be gone, or changed by
// someone else). Cancelling does nothing.
export async function confirmRemove(message, remove, after) {
  const t = i18n.global.t
  try {
    await ElMessageBox.confirm(message, t('common.confirmTitle'), {
      type: 'warning',
      confirmButtonText: t('common.delete'),
      cancelButtonText: t('common.cancel'),
    })
  } catch {
    return
  }
  try {
    await remove()
    ElMessage({ type: 'success', message: t('common.deleted') })
  } catch (err) {
    showError(err)
  }
  after()
}
