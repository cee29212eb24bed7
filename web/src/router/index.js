import { createRouter, createWebHistory } from 'vue-router'
import { useAuthStore } from '../stores/auth.js'
import { STAFF_ROLES, QUEUE_ROLES, IMPORT_ROLES, DRAW_OFFICER_ROLES, DRAW_RESULT_ROLES, HAZARD_ROLES, COMPLAINT_ROLES } from '../constants.js'
import { RATING_ROLES } from '../components/ratings/labels.js'
import { CREDIT_LIST_ROLES, CREDIT_REPAIR_ROLES, CREDIT_STAFF_ROLES } from '../components/credit/labels.js'

const routes = [
  {
    path: '/login',
    name: 'login',
    component: () => import('../views/LoginView.vue'),
    meta: { public: true, titleKey: 'auth.title' }
  },
  {
    path: '/',
    component: () => import('../layouts/AppLayout.vue'),
    children: [
      {
        path: '',
        name: 'dashboard',
        component: () => import('../views/DashboardView.vue'),
        meta: { titleKey: 'menu.dashboard' }
      },
      {
        path: 'institutions',
        name: 'institutions',
        component: () => import('../views/registry/InstitutionsView.vue'),
        meta: { roles: STAFF_ROLES, titleKey: 'menu.institutions' }
      },
      {
        path: 'institutions/import',
        name: 'institution-import',
        component: () => import('../views/registry/InstitutionImportView.vue'),
        meta: { roles: IMPORT_ROLES, titleKey: 'menu.institutionImport', menu: '/institutions' }
      },
      {
        path: 'institutions/:id(\\d+)',
        name: 'institution-detail',
        component: () => import('../views/registry/InstitutionDetailView.vue'),
        meta: { roles: STAFF_ROLES, titleKey: 'menu.institutionDetail', menu: '/institutions' }
      },
      {
        path: 'my-institution',
        name: 'my-institution',
        component: () => import('../views/registry/MyInstitutionView.vue'),
        meta: { roles: ['institution'], titleKey: 'menu.myInstitution' }
      },
      {
        path: 'filings',
        name: 'filings',
        component: () => import('../views/registry/FilingsView.vue'),
        meta: { roles: QUEUE_ROLES, titleKey: 'menu.filings' }
      },
      {
        path: 'licences/expiring',
        name: 'licences-expiring',
        component: () => import('../views/registry/ExpiringLicencesView.vue'),
        meta: { roles: STAFF_ROLES, titleKey: 'menu.licences' }
      },
      {
        path: 'admin/users',
        name: 'admin-users',
        component: () => import('../views/admin/UsersView.vue'),
        meta: { roles: ['admin'], titleKey: 'menu.users' }
      },
      {
        path: 'admin/audit',
        name: 'admin-audit',
        component: () => import('../views/admin/AuditView.vue'),
        meta: { roles: ['admin'], titleKey: 'menu.audit' }
      },
      // 双随机抽查 (inspection draws): tasks, lists and results of "double random, one public".
      {
        path: 'draws/tasks',
        name: 'draw-tasks',
        component: () => import('../views/draws/TasksView.vue'),
        meta: { roles: DRAW_OFFICER_ROLES, titleKey: 'draws.menu.tasks' }
      },
      {
        path: 'draws/tasks/new',
        name: 'draw-task-new',
        component: () => import('../views/draws/TaskEditView.vue'),
        meta: { roles: ['officer'], titleKey: 'draws.edit.newTitleShort', menu: '/draws/tasks' }
      },
      {
        path: 'draws/tasks/:id(\\d+)/edit',
        name: 'draw-task-edit',
        component: () => import('../views/draws/TaskEditView.vue'),
        meta: { roles: DRAW_OFFICER_ROLES, titleKey: 'draws.edit.editTitleShort', menu: '/draws/tasks' }
      },
      {
        path: 'draws/tasks/:id(\\d+)',
        name: 'draw-task',
        component: () => import('../views/draws/TaskDetailView.vue'),
        meta: { roles: DRAW_OFFICER_ROLES, titleKey: 'draws.task.titleShort', menu: '/draws/tasks' }
      },
      {
        path: 'draws/inspectors',
        name: 'draw-inspectors',
        component: () => import('../views/draws/InspectorsView.vue'),
        meta: { roles: DRAW_OFFICER_ROLES, titleKey: 'draws.menu.inspectors' }
      },
      {
        path: 'draws/items',
        name: 'draw-items',
        component: () => import('../views/draws/ItemsView.vue'),
        meta: { roles: DRAW_OFFICER_ROLES, titleKey: 'draws.menu.items' }
      },
      {
        path: 'draws/mine',
        name: 'draw-mine',
        component: () => import('../views/draws/MyInspectionsView.vue'),
        meta: { roles: ['inspector'], titleKey: 'draws.menu.mine' }
      },
      {
        path: 'draws/results/:id(\\d+)',
        name: 'draw-result',
        component: () => import('../views/draws/ResultFormView.vue'),
        meta: { roles: ['inspector'], titleKey: 'draws.resultForm.titleShort', menu: '/draws/mine' }
      },
      {
        path: 'draws/results',
        name: 'draw-results',
        component: () => import('../views/draws/ResultsView.vue'),
        meta: { roles: DRAW_RESULT_ROLES, titleKey: 'draws.menu.results' }
      },
      {
        path: 'draws/coverage',
        name: 'draw-coverage',
        component: () => import('../views/draws/CoverageView.vue'),
        meta: { roles: DRAW_RESULT_ROLES, titleKey: 'draws.menu.coverage' }
      },
      // 风险隐患 (hazards): the list, one hazard's rectification loop, and the complaints officers handle.
      {
        path: 'hazards',
        name: 'hazards',
        component: () => import('../views/hazards/HazardsView.vue'),
        meta: { roles: HAZARD_ROLES, titleKey: 'hazards.menu.group' }
      },
      {
        path: 'hazards/:id(\\d+)',
        name: 'hazard',
        component: () => import('../views/hazards/HazardDetailView.vue'),
        meta: { roles: HAZARD_ROLES, titleKey: 'hazards.menu.detail', menu: '/hazards' }
      },
      {
        path: 'complaints',
        name: 'complaints',
        component: () => import('../views/hazards/ComplaintsView.vue'),
        meta: { roles: COMPLAINT_ROLES, titleKey: 'hazards.menu.complaints' }
      },
      // 等级评定 (graded ratings): the list (我的评定, 我参与的评审) and one rating's process.
      {
        path: 'ratings',
        name: 'ratings',
        component: () => import('../views/ratings/RatingsView.vue'),
        meta: { roles: RATING_ROLES, titleKey: 'ratings.menu.group' }
      },
      {
        path: 'ratings/:id(\\d+)',
        name: 'rating',
        component: () => import('../views/ratings/RatingDetailView.vue'),
        meta: { roles: RATING_ROLES, titleKey: 'ratings.menu.detail', menu: '/ratings' }
      },
      // 信用 (credit): the query and an entity's page, the check, the lists and their entries, memoranda, feedback tasks,
      // repair, records and the graph; 我的信用 for an institution.
      {
        path: 'credit',
        name: 'credit-search',
        component: () => import('../views/credit/CreditSearchView.vue'),
        meta: { roles: CREDIT_STAFF_ROLES, titleKey: 'credit.menu.search' }
      },
      {
        path: 'credit/entities/:code([0-9A-Za-z]{18})',
        name: 'credit-entity',
        component: () => import('../views/credit/CreditEntityView.vue'),
        meta: { roles: CREDIT_STAFF_ROLES, titleKey: 'credit.menu.entity', menu: '/credit' }
      },
      {
        path: 'credit/mine',
        name: 'credit-mine',
        component: () => import('../views/credit/MyCreditView.vue'),
        meta: { roles: ['institution'], titleKey: 'credit.menu.mine' }
      },
      {
        path: 'credit/check',
        name: 'credit-check',
        component: () => import('../views/credit/CreditCheckView.vue'),
        meta: { roles: CREDIT_STAFF_ROLES, titleKey: 'credit.menu.check' }
      },
      {
        path: 'credit/lists',
        name: 'credit-lists',
        component: () => import('../views/credit/CreditListsView.vue'),
        meta: { roles: CREDIT_LIST_ROLES, titleKey: 'credit.menu.lists' }
      },
      {
        path: 'credit/lists/:list(blacklist|watchlist|redlist)/:id(\\d+)',
        name: 'credit-entry',
        component: () => import('../views/credit/CreditEntryView.vue'),
        meta: { roles: CREDIT_LIST_ROLES, titleKey: 'credit.menu.entry', menu: '/credit/lists' }
      },
      {
        path: 'credit/memoranda',
        name: 'credit-memoranda',
        component: () => import('../views/credit/MemorandaView.vue'),
        meta: { roles: CREDIT_LIST_ROLES, titleKey: 'credit.menu.memoranda' }
      },
      {
        path: 'credit/feedback',
        name: 'credit-feedback',
        component: () => import('../views/credit/FeedbackView.vue'),
        meta: { roles: CREDIT_STAFF_ROLES, titleKey: 'credit.menu.feedback' }
      },
      {
        path: 'credit/repairs',
        name: 'credit-repairs',
        component: () => import('../views/credit/RepairsView.vue'),
        meta: { roles: CREDIT_REPAIR_ROLES, titleKey: 'credit.menu.repairs' }
      },
      {
        path: 'credit/records',
        name: 'credit-records',
        component: () => import('../views/credit/RecordsView.vue'),
        meta: { roles: CREDIT_STAFF_ROLES, titleKey: 'credit.menu.records' }
      },
      {
        path: 'credit/graph',
        name: 'credit-graph',
        component: () => import('../views/credit/CreditGraphView.vue'),
        meta: { roles: CREDIT_STAFF_ROLES, titleKey: 'credit.menu.graph' }
      },
      {
        path: '403',
        name: 'forbidden',
        component: () => import('../views/ForbiddenView.vue'),
        meta: { titleKey: 'errors.forbiddenTitle' }
      }
    ]
  },
  {
    // 公示 (public portal): no login; a 401/403 from its API calls never leads to the login page.
    path: '/public',
    component: () => import('../layouts/PublicLayout.vue'),
    meta: { public: true },
    children: [
      { path: '', redirect: { name: 'public-draws' } },
      {
        path: 'draws',
        name: 'public-draws',
        component: () => import('../views/public/PublicDrawsView.vue'),
        meta: { public: true, titleKey: 'publicDraws.tasks.title' }
      },
      {
        path: 'draws/:id',
        name: 'public-draw',
        component: () => import('../views/public/PublicDrawDetailView.vue'),
        meta: { public: true, titleKey: 'publicDraws.detail.title' }
      },
      {
        path: 'results',
        name: 'public-results',
        component: () => import('../views/public/PublicResultsView.vue'),
        meta: { public: true, titleKey: 'publicDraws.results.title' }
      },
      {
        path: 'complaints',
        name: 'public-complaints',
        component: () => import('../views/public/PublicComplaintView.vue'),
        meta: { public: true, titleKey: 'publicHazards.complaint.title' }
      },
      {
        path: 'hazards',
        name: 'public-hazards',
        component: () => import('../views/public/PublicHazardsView.vue'),
        meta: { public: true, titleKey: 'publicHazards.board.title' }
      },
      {
        path: 'ratings',
        name: 'public-ratings',
        component: () => import('../views/public/PublicRatingsView.vue'),
        meta: { public: true, titleKey: 'publicRatings.board.title' }
      },
      {
        path: 'ratings/:id(\\d+)',
        name: 'public-rating',
        component: () => import('../views/public/PublicRatingView.vue'),
        meta: { public: true, titleKey: 'publicRatings.institution.title' }
      },
      {
        path: 'rating-schemes',
        name: 'public-rating-schemes',
        component: () => import('../views/ratings/SchemeView.vue'),
        meta: { public: true, titleKey: 'ratings.scheme.title' }
      },
      {
        path: 'rating-schemes/:id(\\d+)',
        name: 'public-rating-scheme',
        component: () => import('../views/ratings/SchemeView.vue'),
        meta: { public: true, titleKey: 'ratings.scheme.title' }
      },
      {
        path: 'credit/blacklist',
        name: 'public-credit-blacklist',
        component: () => import('../views/public/PublicCreditListView.vue'),
        meta: { public: true, creditList: 'blacklist', titleKey: 'publicCredit.list.title.blacklist' }
      },
      {
        path: 'credit/redlist',
        name: 'public-credit-redlist',
        component: () => import('../views/public/PublicCreditListView.vue'),
        meta: { public: true, creditList: 'redlist', titleKey: 'publicCredit.list.title.redlist' }
      },
      {
        path: 'credit/verify',
        name: 'public-credit-verify',
        component: () => import('../views/public/PublicCreditVerifyView.vue'),
        meta: { public: true, titleKey: 'publicCredit.verify.title' }
      }
    ]
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('../views/NotFoundView.vue'),
    meta: { public: true, titleKey: 'errors.notFoundTitle' }
  }
]

export const router = createRouter({
  history: createWebHistory('/'),
  routes,
  scrollBehavior: () => ({ top: 0 })
})

/** Only same-origin absolute paths are accepted as post-login redirect targets. */
export function safeRedirect(value) {
  const v = Array.isArray(value) ? value[0] : value
  if (typeof v !== 'string' || !v.startsWith('/') || v.startsWith('//') || v.startsWith('/\\')) return '/'
  if (v === '/login' || v.startsWith('/login?') || v.startsWith('/login#')) return '/'
  return v
}

router.beforeEach(async (to) => {
  const auth = useAuthStore()
  await auth.init()

  if (to.meta.public) {
    if (to.name === 'login' && auth.isLoggedIn) {
      return safeRedirect(to.query.redirect)
    }
    return true
  }
  if (!auth.isLoggedIn) {
    return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
  }
  const roles = to.matched.flatMap((r) => r.meta.roles || [])
  if (roles.length && !roles.includes(auth.role)) {
    return { name: 'forbidden' }
  }
  return true
})
