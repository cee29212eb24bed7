// The single place that talks to the server. Uses fetch with the session cookie
// (cw_session, HttpOnly, set by the server); the token itself is never stored
// in the browser. Every non-GET request carries X-CSRF-Token.
import { t } from '../i18n/index.js'
import { saveBlob } from '../utils/download.js'

export const API_BASE = '/api/v1'

export class ApiError extends Error {
  constructor(status, code, message, field = null, details = null) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.field = field
    this.details = details
    // Set to true once a global handler (401 redirect, 403 toast) has already
    // told the user about this error, so callers do not report it twice.
    this.handled = false
  }
}

let csrfToken = null
const handlers = { unauthorized: null, forbidden: null }

export function setCsrfToken(token) {
  csrfToken = token || null
}

/** fn(error) is called on HTTP 401 (except for requests made with { auth: false }). */
export function onUnauthorized(fn) {
  handlers.unauthorized = fn
}

/** fn(error) is called on HTTP 403 (except for requests made with { silent: true }). */
export function onForbidden(fn) {
  handlers.forbidden = fn
}

function buildQuery(query) {
  if (!query) return ''
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue
    params.append(key, String(value))
  }
  const s = params.toString()
  return s ? `?${s}` : ''
}

async function parseBody(response) {
  const text = await response.text()
  if (!text) return null
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}

/** The ApiError for a non-2xx answer; tells the global handlers (401 redirect, 403 toast) unless silent. */
function apiError(response, data, { auth, silent }) {
  const err = (data && typeof data.error === 'object' && data.error) || {}
  const message =
    err.message ||
    (response.status === 403 ? t('errors.permission') : t('errors.unknown', { status: response.status }))
  const error = new ApiError(response.status, err.code || `HTTP_${response.status}`, message, err.field || null, err)

  if (!silent) {
    if (response.status === 401 && auth && handlers.unauthorized) {
      error.handled = true
      handlers.unauthorized(error)
    } else if (response.status === 403 && handlers.forbidden) {
      error.handled = true
      handlers.forbidden(error)
    }
  }
  return error
}

async function send(url, init) {
  try {
    return await fetch(url, init)
  } catch (e) {
    if (e && e.name === 'AbortError') throw e
    throw new ApiError(0, 'UNAVAILABLE', t('errors.network'))
  }
}

/**
 * request('GET', '/admin/users', { query: {...} })
 * request('POST', '/admin/users', { body: {...} })
 * request('POST', '/institutions/import', { raw: file, contentType: 'text/csv' })
 * Options:
 *   body:   sent as JSON
 *   raw:    a Blob / File / ArrayBuffer sent as it is, with `contentType` (default application/octet-stream)
 *   auth:   false → a 401 is a plain error, not "session expired" (login, me, logout)
 *   silent: true  → no global toast/redirect at all for this request
 */
export async function request(method, path, { query, body, raw, contentType, auth = true, silent = false, signal } = {}) {
  const upper = method.toUpperCase()
  const headers = { Accept: 'application/json' }
  const init = { method: upper, headers, credentials: 'same-origin', cache: 'no-store', signal }
  if (raw !== undefined) {
    headers['Content-Type'] = contentType || 'application/octet-stream'
    init.body = raw
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json'
    init.body = JSON.stringify(body)
  }
  if (upper !== 'GET' && upper !== 'HEAD' && csrfToken) {
    headers['X-CSRF-Token'] = csrfToken
  }

  const response = await send(`${API_BASE}${path}${buildQuery(query)}`, init)
  const data = await parseBody(response)
  if (response.ok) return data ?? {}
  throw apiError(response, data, { auth, silent })
}

/** The file name of a Content-Disposition header: filename* (RFC 5987, UTF-8) first, then filename. */
function dispositionFilename(header) {
  if (!header) return ''
  const star = /filename\*\s*=\s*([^;]+)/i.exec(header)
  if (star) {
    const value = star[1].trim().replace(/^"(.*)"$/, '$1')
    const m = /^([\w-]+)'[^']*'(.*)$/.exec(value)
    try {
      return decodeURIComponent(m ? m[2] : value)
    } catch {
      /* fall back to the plain filename */
    }
  }
  const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/i.exec(header)
  return plain ? (plain[2] ?? plain[1]).trim() : ''
}

/**
 * GETs a file with the session cookie and saves it in the browser's downloads. A non-2xx answer is the
 * usual JSON error, thrown as an ApiError. The saved name is `filename` when given, else the server's
 * Content-Disposition name, else `fallbackName`. Resolves to { filename, size, headers }.
 */
export async function download(path, { query, filename, fallbackName = 'download', signal } = {}) {
  const response = await send(`${API_BASE}${path}${buildQuery(query)}`, {
    method: 'GET',
    headers: { Accept: '*/*' },
    credentials: 'same-origin',
    cache: 'no-store',
    signal
  })
  if (!response.ok) throw apiError(response, await parseBody(response), { auth: true, silent: false })
  const blob = await response.blob()
  const name = filename || dispositionFilename(response.headers.get('Content-Disposition')) || fallbackName
  saveBlob(blob, name)
  return { filename: name, size: blob.size, headers: response.headers }
}

/**
 * POSTs a multipart form (FormData) with XMLHttpRequest, which, unlike fetch, reports the upload's progress:
 * `onProgress(fraction)` with 0..1 as the bytes go out. Resolves to the JSON body of a 2xx answer; a non-2xx answer
 * is thrown as the usual ApiError; `signal` aborts the upload (an AbortError).
 */
export function uploadForm(path, form, { onProgress, signal } = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', `${API_BASE}${path}`)
    xhr.setRequestHeader('Accept', 'application/json')
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken)
    if (onProgress) {
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total)
      }
    }
    xhr.onload = () => {
      let data = null
      try {
        data = xhr.responseText ? JSON.parse(xhr.responseText) : null
      } catch {
        data = null
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data ?? {})
      else reject(apiError({ status: xhr.status }, data, { auth: true, silent: false }))
    }
    xhr.onerror = () => reject(new ApiError(0, 'UNAVAILABLE', t('errors.network')))
    xhr.onabort = () => reject(new DOMException('The upload was aborted', 'AbortError'))
    if (signal) {
      if (signal.aborted) {
        reject(new DOMException('The upload was aborted', 'AbortError'))
        return
      }
      signal.addEventListener('abort', () => xhr.abort(), { once: true })
    }
    xhr.send(form)
  })
}

export const http = {
  get: (path, opts) => request('GET', path, opts),
  post: (path, body, opts) => request('POST', path, { ...opts, body: body ?? {} }),
  patch: (path, body, opts) => request('PATCH', path, { ...opts, body: body ?? {} }),
  /** POSTs a file's bytes as the body (not multipart). */
  upload: (path, raw, contentType, opts) => request('POST', path, { ...opts, raw, contentType })
}
