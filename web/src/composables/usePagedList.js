import { ref } from 'vue'
import { DEFAULT_PAGE_SIZE } from '../constants.js'
import { reportError } from '../utils/notify.js'

/**
 * A paged table backed by an API list call: `fetchPage({page, page_size})` returns {items, total}.
 * Only the latest request's answer is shown, so a slow earlier one never overwrites a newer one.
 */
export function usePagedList(fetchPage, errorKey) {
  const page = ref(1)
  const pageSize = ref(DEFAULT_PAGE_SIZE)
  const rows = ref([])
  const total = ref(0)
  const loading = ref(false)
  let latest = 0

  async function load() {
    const seq = ++latest
    loading.value = true
    try {
      const data = await fetchPage({ page: page.value, page_size: pageSize.value })
      if (seq !== latest) return
      rows.value = Array.isArray(data.items) ? data.items : []
      total.value = Number(data.total) || 0
    } catch (e) {
      if (seq !== latest) return
      reportError(e, errorKey)
    } finally {
      if (seq === latest) loading.value = false
    }
  }

  return { page, pageSize, rows, total, loading, load }
}
