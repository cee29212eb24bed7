import { defineStore } from 'pinia'
import * as authApi from '../api/auth.js'
import { setCsrfToken } from '../api/http.js'

export const useAuthStore = defineStore('auth', {
  state: () => ({
    user: null,
    csrfToken: null,
    expiresAt: null,
    initialized: false,
    // Set when a request got 401 mid-session; the login page shows a notice.
    sessionExpired: false
  }),
  getters: {
    isLoggedIn: (s) => !!s.user,
    role: (s) => (s.user ? s.user.role : null),
    isAdmin: (s) => !!s.user && s.user.role === 'admin'
  },
  actions: {
    setSession(data) {
      this.user = data.user || null
      this.csrfToken = data.csrf_token || null
      this.expiresAt = data.expires_at || null
      setCsrfToken(this.csrfToken)
    },
    clear() {
      this.user = null
      this.csrfToken = null
      this.expiresAt = null
      setCsrfToken(null)
    },
    /** Restore the session from the cookie once at start-up (GET /auth/me). */
    async init() {
      if (this.initialized) return
      try {
        const data = await authApi.fetchMe()
        this.setSession(data)
      } catch {
        // 401 (no session) or server unreachable: start logged out.
        this.clear()
      } finally {
        this.initialized = true
      }
    },
    async login(username, password) {
      const data = await authApi.login(username, password)
      this.setSession(data)
      this.sessionExpired = false
      this.initialized = true
      return data.user
    },
    async logout() {
      try {
        await authApi.logout()
      } catch {
        // Already expired or server unreachable: the local state is cleared anyway.
      }
      this.clear()
    },
    markExpired() {
      this.clear()
      this.sessionExpired = true
    }
  }
})
