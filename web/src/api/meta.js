import { http } from './http.js'

export const listDepartments = () => http.get('/departments')
export const listRegions = () => http.get('/regions')
