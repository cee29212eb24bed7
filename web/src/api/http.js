// The single place that talks to the server. Uses fetch with the session cookie
// (cw_session, HttpOnly, set by the server); the token itself is never stored
// in the browser. Every non-GET request carries X-CSRF-Token.
import { t } from '../i18n/index.js'

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

/**
 * request('GET', '/admin/users', { query: {...} })
 * request('POST', '/admin/users', { body: {...} })
 * Options:
 *   auth:   false → a 401 is a plain error, not "session expired" (login, me, logout)
 *   silent: true  → no global toast/redirect at all for this request
 */
export async function request(method, path, { query, body, auth = true, silent = false, signal } = {}) {
  const upper = method.toUpperCase()
  const headers = { Accept: 'application/json' }
  const init = { method: upper, headers, credentials: 'same-origin', cache: 'no-store', signal }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json'
    init.body = JSON.stringify(body)
  }
  if (upper !== 'GET' && upper !== 'HEAD' && csrfToken) {
    headers['X-CSRF-Token'] = csrfToken
  }

  let response
  try {
    response = await fetch(`${API_BASE}${path}${buildQuery(query)}`, init)
  } catch (e) {
    if (e && e.name === 'AbortError') throw e
    throw new ApiError(0, 'UNAVAILABLE', t('errors.network'))
  }

  const data = await parseBody(response)
  if (response.ok) return data ?? {}

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
  throw error
}

export const http = {
  get: (path, opts) => request('GET', path, opts),
  post: (path, body, opts) => request('POST', path, { ...opts, body: body ?? {} }),
  patch: (path, body, opts) => request('PATCH', path, { ...opts, body: body ?? {} })
}
