// Business pages per role, shared by the side menu and the dashboard's quick links. Keep in step with the
// `roles` of the routes in router/index.js.
import {
  OfficeBuilding,
  House,
  DocumentChecked,
  AlarmClock,
  Aim,
  Tickets,
  Avatar,
  List,
  EditPen,
  Stamp,
  DataAnalysis,
  Promotion,
  WarningFilled,
  Warning,
  ChatLineSquare,
  DataBoard,
  Medal,
  Finished,
  Reading,
  Trophy,
  CreditCard,
  Search,
  CircleCheck,
  Collection,
  Notebook,
  ChatDotSquare,
  FirstAidKit,
  Document,
  Share,
  User
} from '@element-plus/icons-vue'
import { CREDIT_LIST_ROLES, CREDIT_REPAIR_ROLES, CREDIT_STAFF_ROLES } from './components/credit/labels.js'

const FEATURES = [
  { key: 'my-institution', path: '/my-institution', label: 'menu.myInstitution', icon: House, roles: ['institution'] },
  { key: 'institutions', path: '/institutions', label: 'menu.institutions', icon: OfficeBuilding, roles: ['admin', 'officer', 'inspector', 'bureau'] },
  { key: 'filings', path: '/filings', label: 'menu.filings', icon: DocumentChecked, roles: ['admin', 'officer'] },
  { key: 'licences', path: '/licences/expiring', label: 'menu.licences', icon: AlarmClock, roles: ['admin', 'officer', 'inspector', 'bureau'] },
  // 双随机抽查: a group in the side menu; a quick link on the dashboard opens its first page for the role.
  {
    key: 'draws',
    label: 'draws.menu.group',
    icon: Aim,
    children: [
      { key: 'draws-tasks', path: '/draws/tasks', label: 'draws.menu.tasks', icon: Tickets, roles: ['admin', 'officer'] },
      { key: 'draws-mine', path: '/draws/mine', label: 'draws.menu.mine', icon: EditPen, roles: ['inspector'] },
      { key: 'draws-results', path: '/draws/results', label: 'draws.menu.results', icon: Stamp, roles: ['admin', 'officer', 'bureau'] },
      { key: 'draws-inspectors', path: '/draws/inspectors', label: 'draws.menu.inspectors', icon: Avatar, roles: ['admin', 'officer'] },
      { key: 'draws-items', path: '/draws/items', label: 'draws.menu.items', icon: List, roles: ['admin', 'officer'] },
      { key: 'draws-coverage', path: '/draws/coverage', label: 'draws.menu.coverage', icon: DataAnalysis, roles: ['admin', 'officer', 'bureau'] },
      { key: 'draws-public', path: '/public/draws', label: 'draws.menu.public', icon: Promotion, roles: ['admin', 'officer', 'inspector', 'institution', 'bureau'] }
    ]
  },
  // 风险隐患: the hazard list (我的隐患 for an institution), complaints for officers, and the public board.
  {
    key: 'hazards',
    label: 'hazards.menu.group',
    icon: WarningFilled,
    children: [
      { key: 'hazards-list', path: '/hazards', label: 'hazards.menu.list', icon: Warning, roles: ['admin', 'officer', 'inspector'] },
      { key: 'hazards-mine', path: '/hazards', label: 'hazards.menu.mine', icon: Warning, roles: ['institution'] },
      { key: 'hazards-complaints', path: '/complaints', label: 'hazards.menu.complaints', icon: ChatLineSquare, roles: ['admin', 'officer'] },
      { key: 'hazards-public', path: '/public/hazards', label: 'hazards.menu.public', icon: DataBoard, roles: ['admin', 'officer', 'inspector', 'institution'] }
    ]
  },
  // 等级评定: the ratings (我的评定 for an institution, 我参与的评审 for an evaluator), the method and the public board.
  {
    key: 'ratings',
    label: 'ratings.menu.group',
    icon: Medal,
    children: [
      { key: 'ratings-list', path: '/ratings', label: 'ratings.menu.list', icon: Trophy, roles: ['admin', 'officer', 'bureau'] },
      { key: 'ratings-panel', path: '/ratings', label: 'ratings.menu.panel', icon: Finished, roles: ['inspector'] },
      { key: 'ratings-mine', path: '/ratings', label: 'ratings.menu.mine', icon: Trophy, roles: ['institution'] },
      { key: 'ratings-schemes', path: '/public/rating-schemes', label: 'ratings.menu.schemes', icon: Reading, roles: ['admin', 'officer', 'inspector', 'institution', 'bureau'] },
      { key: 'ratings-public', path: '/public/ratings', label: 'ratings.menu.public', icon: DataBoard, roles: ['admin', 'officer', 'inspector', 'institution', 'bureau'] }
    ]
  },
  // 信用: the query and the check for staff (我的信用 for an institution), the lists, memoranda, feedback tasks, repair,
  // records, the graph and the public lists.
  {
    key: 'credit',
    label: 'credit.menu.group',
    icon: CreditCard,
    children: [
      { key: 'credit-search', path: '/credit', label: 'credit.menu.search', icon: Search, roles: CREDIT_STAFF_ROLES },
      { key: 'credit-mine', path: '/credit/mine', label: 'credit.menu.mine', icon: User, roles: ['institution'] },
      { key: 'credit-check', path: '/credit/check', label: 'credit.menu.check', icon: CircleCheck, roles: CREDIT_STAFF_ROLES },
      { key: 'credit-lists', path: '/credit/lists', label: 'credit.menu.lists', icon: Collection, roles: CREDIT_LIST_ROLES },
      { key: 'credit-memoranda', path: '/credit/memoranda', label: 'credit.menu.memoranda', icon: Notebook, roles: CREDIT_LIST_ROLES },
      { key: 'credit-feedback', path: '/credit/feedback', label: 'credit.menu.feedback', icon: ChatDotSquare, roles: CREDIT_STAFF_ROLES },
      { key: 'credit-repairs', path: '/credit/repairs', label: 'credit.menu.repairs', icon: FirstAidKit, roles: CREDIT_REPAIR_ROLES },
      { key: 'credit-records', path: '/credit/records', label: 'credit.menu.records', icon: Document, roles: CREDIT_STAFF_ROLES },
      { key: 'credit-graph', path: '/credit/graph', label: 'credit.menu.graph', icon: Share, roles: CREDIT_STAFF_ROLES },
      { key: 'credit-public', path: '/public/credit/blacklist', label: 'credit.menu.public', icon: DataBoard, roles: ['admin', 'officer', 'inspector', 'institution', 'bureau'] }
    ]
  }
]

/**
 * The role's pages: { key, path, label, icon } and groups { key, path, label, icon, children } whose children are
 * the role's pages of the group and whose path is the first of them.
 */
export function featureLinks(role) {
  const out = []
  for (const f of FEATURES) {
    if (f.children) {
      const children = f.children.filter((c) => c.roles.includes(role))
      if (children.length) out.push({ ...f, path: children[0].path, children })
    } else if (f.roles.includes(role)) {
      out.push(f)
    }
  }
  return out
}
