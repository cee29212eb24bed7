import { http } from './http.js'

export const login = (username, password) =>
  http.post('/auth/login', { username, password }, { auth: false, silent: true })

export const fetchMe = () => http.get('/auth/me', { auth: false, silent: true })

export const logout = () => http.post('/auth/logout', {}, { auth: false, silent: true })
