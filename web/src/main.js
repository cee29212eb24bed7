import { createApp, watch } from 'vue'
import { createPinia } from 'pinia'
import ElementPlus, { ElMessage } from 'element-plus'
import 'element-plus/dist/index.css'
import './styles.css'

import App from './App.vue'
import { i18n, t } from './i18n/index.js'
import { router } from './router/index.js'
import { onUnauthorized, onForbidden } from './api/http.js'
import { useAuthStore } from './stores/auth.js'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(i18n)
app.use(ElementPlus)
app.use(router)

// Any 401 from an API call made inside a session: the session has expired.
let redirecting = false
onUnauthorized(async () => {
  const auth = useAuthStore(pinia)
  auth.markExpired()
  const current = router.currentRoute.value
  if (redirecting || current.name === 'login') return
  redirecting = true
  ElMessage({ type: 'warning', message: t('auth.sessionExpired'), grouping: true })
  try {
    await router.replace({ name: 'login', query: { redirect: current.fullPath } })
  } finally {
    redirecting = false
  }
})

// 403 from an API call: tell the user, the page stays where it is.
onForbidden((error) => {
  ElMessage({ type: 'error', message: error.message || t('errors.permission'), grouping: true })
})

// Keep the tab title in the current language.
function updateTitle() {
  const key = router.currentRoute.value.meta.titleKey
  const name = t('app.name')
  document.title = key ? `${t(key)} - ${name}` : name
}
router.afterEach(updateTitle)
watch(i18n.global.locale, updateTitle)

router.isReady().then(() => app.mount('#app'))
