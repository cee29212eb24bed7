// Business pages per role, shared by the side menu and the dashboard's quick links. Keep in step with the
// `roles` of the routes in router/index.js.
import { OfficeBuilding, House, DocumentChecked, AlarmClock } from '@element-plus/icons-vue'

const FEATURES = [
  { key: 'my-institution', path: '/my-institution', label: 'menu.myInstitution', icon: House, roles: ['institution'] },
  { key: 'institutions', path: '/institutions', label: 'menu.institutions', icon: OfficeBuilding, roles: ['admin', 'officer', 'inspector', 'bureau'] },
  { key: 'filings', path: '/filings', label: 'menu.filings', icon: DocumentChecked, roles: ['admin', 'officer'] },
  { key: 'licences', path: '/licences/expiring', label: 'menu.licences', icon: AlarmClock, roles: ['admin', 'officer', 'inspector', 'bureau'] }
]

export function featureLinks(role) {
  return FEATURES.filter((f) => f.roles.includes(role))
}
