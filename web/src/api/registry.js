// Institution registry (机构登记) and filing (备案) endpoints.
import { http, download } from './http.js'

const id = (v) => encodeURIComponent(v)

export const searchInstitutions = (query) => http.get('/institutions', { query })
/** The directory search as an XLSX file, saved in the browser's downloads (`query`: the search filters, no page). */
export const exportInstitutions = (query) => download('/institutions/export.xlsx', { query, fallbackName: '机构名录.xlsx' })
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

// ---------------------------------------------------------------- bulk import (批量导入), a background job
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
/** Officer: starts the import of a .csv or .xlsx file; 202 with { job_id }. */
export const startImport = (file, { partial = false } = {}) =>
  http.upload('/institutions/import', file, /\.xlsx$/i.test(file.name) ? XLSX_TYPE : 'text/csv', {
    query: { partial: partial ? 'true' : 'false' }
  })
export const getJob = (jobId) => http.get(`/jobs/${id(jobId)}`)

// ---------------------------------------------------------------- documents of a filing (备案材料)
export const listFilingDocuments = (filingId) => http.get(`/filings/${id(filingId)}/documents`)
/** Institution: attaches a PDF, PNG or JPEG (checked by content on the server); 201 with the document. */
export const uploadFilingDocument = (filingId, file) =>
  http.upload(`/filings/${id(filingId)}/documents`, file, file.type || 'application/octet-stream', {
    query: { name: file.name }
  })
/** Saves a document under its own name (the server names every download "document"). */
export const downloadFilingDocument = (filingId, doc) =>
  download(`/filings/${id(filingId)}/documents/${id(doc.sha256)}`, { filename: doc.name })
