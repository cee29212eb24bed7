import { http } from './http.js'

export const listUsers = (query) => http.get('/admin/users', { query })
export const createUser = (payload) => http.post('/admin/users', payload)
export const disableUser = (id) => http.post(`/admin/users/${encodeURIComponent(id)}/disable`, {})
export const enableUser = (id) => http.post(`/admin/users/${encodeURIComponent(id)}/enable`, {})
export const resetUserPassword = (id, password) =>
  http.post(`/admin/users/${encodeURIComponent(id)}/password`, { password })

export const listAudit = (query) => http.get('/admin/audit', { query })
