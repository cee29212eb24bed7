// Public portal (公示) endpoints of "double random, one public" (双随机、一公开): no login needed.
//
// Every call is made with { auth: false, silent: true }: a 401 or 403 here must never send a visitor to the login
// page or show the console's permission toast; the pages report errors themselves (utils/notify.js reportError
// shows the server's message). Anonymous visitors have no CSRF token, so the POST below carries none.
import { http, API_BASE, ApiError } from './http.js'
import { t } from '../i18n/index.js'

const id = (v) => encodeURIComponent(v)
const PUBLIC = { auth: false, silent: true }

/** { items, total, page, page_size } of inspection tasks (抽查任务). */
export const listPublicTasks = (query) => http.get('/public/tasks', { ...PUBLIC, query })
/** One task: its fields plus items (检查事项), requirements (每家机构的检查人员) and drawn (抽取名单, in draw order). */
export const getPublicTask = (taskId) => http.get(`/public/tasks/${id(taskId)}`, PUBLIC)
/** The cw-draw-v1 record of a task's draw (secret, beacon_value and seed are null before the draw). */
export const getPublicDraw = (drawId, opts) => http.get(`/public/draws/${id(drawId)}`, { ...PUBLIC, ...opts })
/** The server's own verification of the draw: { ok, mismatch? }. */
export const verifyPublicDrawOnServer = (drawId) => http.post(`/public/draws/${id(drawId)}/verify`, {}, PUBLIC)
/** { items, total } of published inspection results (抽查结果公示). */
export const listPublicResults = (query) => http.get('/public/results', { ...PUBLIC, query })

export const FROZEN_FILES = ['pool', 'inspectors', 'exclusions']

/** The URL of a frozen file (pool.txt, inspectors.txt, exclusions.txt), served byte for byte as text/plain. */
export const frozenFileUrl = (drawId, name) => `${API_BASE}/public/draws/${id(drawId)}/${name}.txt`

/**
 * The exact bytes of a frozen file, as a Uint8Array (no text decoding, no newline conversion: the digest is over
 * these bytes). A non-2xx answer is thrown as an ApiError with the server's message, as http.js does.
 */
export async function fetchFrozenFile(drawId, name, { signal } = {}) {
  let response
  try {
    response = await fetch(frozenFileUrl(drawId, name), {
      method: 'GET',
      headers: { Accept: 'text/plain, */*' },
      credentials: 'same-origin',
      cache: 'no-store',
      signal
    })
  } catch (e) {
    if (e && e.name === 'AbortError') throw e
    throw new ApiError(0, 'UNAVAILABLE', t('errors.network'))
  }
  if (!response.ok) {
    let err = {}
    try {
      const data = JSON.parse(await response.text())
      if (data && typeof data.error === 'object' && data.error) err = data.error
    } catch {
      /* not JSON */
    }
    throw new ApiError(response.status, err.code || `HTTP_${response.status}`, err.message || t('errors.unknown', { status: response.status }), err.field || null, err)
  }
  return new Uint8Array(await response.arrayBuffer())
}

/** The record and the three frozen files of a draw, fetched together: { record, files: { pool, inspectors, exclusions } }. */
export async function fetchDrawBundle(drawId, { signal } = {}) {
  const [record, pool, inspectors, exclusions] = await Promise.all([
    getPublicDraw(drawId, { signal }),
    ...FROZEN_FILES.map((name) => fetchFrozenFile(drawId, name, { signal }))
  ])
  return { record, files: { pool, inspectors, exclusions } }
}
