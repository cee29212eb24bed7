// How the rating pages run a step: ask first (confirmed), keep a flag up while the request runs and report a failure
// as a toast (busy). One place for what every button of the process does.
import { ElMessageBox } from 'element-plus'
import { t } from '../../i18n/index.js'
import { reportError } from '../../utils/notify.js'

/** true once the user pressed the confirmation box's OK button (class cw-confirm-ok, what the browser tests press). */
export function confirmed(message, title, { type = 'warning', button = title } = {}) {
  const options = { type, confirmButtonText: button, cancelButtonText: t('common.cancel'), confirmButtonClass: 'cw-confirm-ok' }
  return ElMessageBox.confirm(message, title, options).then(
    () => true,
    () => false
  )
}

/**
 * Runs `work` with `flag` (a ref) true meanwhile; resolves to its result, or to undefined after reporting its error.
 * A page about one thing passes `notFound` (a ref): a 404 sets it (the page says so) instead of a toast.
 */
export async function busy(flag, work, { errorKey, notFound } = {}) {
  flag.value = true
  if (notFound) notFound.value = false
  try {
    return await work()
  } catch (e) {
    if (notFound && e && e.status === 404) notFound.value = true
    else reportError(e, errorKey)
    return undefined
  } finally {
    flag.value = false
  }
}
