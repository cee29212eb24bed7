import { reactive, ref } from 'vue'
import { DEFAULT_PAGE_SIZE } from '../constants.js'
import { reportError } from '../utils/notify.js'

/**
 * A paged table backed by an API list call: `fetchPage({page, page_size}, applied)` returns {items, total}.
 * Only the latest request's answer is shown, so a slow earlier one never overwrites a newer one.
 *
 * `onPage` and `onSize` are the handlers of CwPager's page-change and size-change; `reload()` goes back to the
 * first page and loads it.
 *
 * With `options.filters` (the initial values of the filter inputs, all strings) the list also has a filter bar:
 * `filters` is bound to the inputs, `applied` (a plain object) is what the last search used and what `fetchPage`
 * gets as its second argument, so paging keeps the last search even when the inputs were edited since.
 * `search()` applies the inputs (through `options.normalize`, e.g. to trim them), calls `options.onSearch(applied)`
 * (e.g. to keep the filters in the URL) and reloads from the first page; `reset()` empties every input and searches.
 */
export function usePagedList(fetchPage, errorKey, options = {}) {
  const page = ref(1)
  const pageSize = ref(DEFAULT_PAGE_SIZE)
  const rows = ref([])
  const total = ref(0)
  const loading = ref(false)
  let latest = 0

  const filters = reactive({ ...options.filters })
  const applied = { ...options.filters }

  async function load() {
    const seq = ++latest
    loading.value = true
    try {
      const data = await fetchPage({ page: page.value, page_size: pageSize.value }, applied)
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

  function reload() {
    page.value = 1
    return load()
  }
  function onPage(p) {
    page.value = p
    load()
  }
  function onSize(s) {
    pageSize.value = s
    page.value = 1
    load()
  }

  function search() {
    Object.assign(applied, options.normalize ? options.normalize({ ...filters }) : { ...filters })
    page.value = 1
    if (options.onSearch) options.onSearch(applied)
    load()
  }
  function reset() {
    for (const key of Object.keys(filters)) filters[key] = ''
    search()
  }

  return { page, pageSize, rows, total, loading, load, reload, onPage, onSize, filters, applied, search, reset }
}
