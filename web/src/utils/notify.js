import { ElMessage } from 'element-plus'
import { t } from '../i18n/index.js'

/** Shows an API error as a toast, unless a global handler (401 redirect, 403 toast) already did. */
export function reportError(e, fallbackKey = 'errors.unknown') {
  if (e && e.handled) return
  ElMessage({ type: 'error', message: (e && e.message) || t(fallbackKey, { status: e && e.status }), grouping: true })
}
