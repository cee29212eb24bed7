// Institution registry (机构登记) and filing (备案) endpoints.
import { http } from './http.js'

const id = (v) => encodeURIComponent(v)

export const searchInstitutions = (query) => http.get('/institutions', { query })
/** Officer: a complete record, filed at once; `{ unfiled: true }`: only credit_code, name, kind and region_code. */
export const registerInstitution = (record, { unfiled = false } = {}) =>
  http.post('/institutions', record, unfiled ? { query: { filing_state: 'unfiled' } } : undefined)
export const getInstitution = (instId) => http.get(`/institutions/${id(instId)}`)
/** Officer: 200 with the institution; institution user: 202 with a change filing. */
export const patchInstitution = (instId, changes) => http.patch(`/institutions/${id(instId)}`, changes)
export const listVersions = (instId) => http.get(`/institutions/${id(instId)}/versions`)
export const diffVersions = (instId, from, to) => http.get(`/institutions/${id(instId)}/diff`, { query: { from, to } })
export const revealLegalRepId = (instId) => http.get(`/institutions/${id(instId)}/legal-rep-id`)

export const submitFiling = (payload) => http.post('/filings', payload)
export const listFilings = (query) => http.get('/filings', { query })
export const getFiling = (filingId) => http.get(`/filings/${id(filingId)}`)
export const acceptFiling = (filingId) => http.post(`/filings/${id(filingId)}/accept`, {})
export const returnFiling = (filingId, reasons) => http.post(`/filings/${id(filingId)}/return`, { reasons })
export const resubmitFiling = (filingId, payload) => http.post(`/filings/${id(filingId)}/resubmit`, payload)

export const expiringLicences = (query) => http.get('/licences/expiring', { query })
