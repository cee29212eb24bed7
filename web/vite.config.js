import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// Vendor code is split into a few long-lived chunks; every page is a dynamic
// import (see src/router/index.js), so the entry chunk stays small.
function manualChunks(id) {
  if (!id.includes('/node_modules/')) return undefined
  if (/\/node_modules\/(echarts|zrender)\//.test(id)) return 'echarts'
  if (/\/node_modules\/(element-plus|@element-plus|@vueuse|@floating-ui|@popperjs|@sxzz|lodash-es|lodash-unified|dayjs|async-validator|@ctrl|memoize-one|normalize-wheel-es)\//.test(id)) {
    return 'element-plus'
  }
  if (/\/node_modules\/(@vue|vue|vue-router|pinia|vue-demi|vue-i18n|@intlify)\//.test(id)) return 'vue-vendor'
  return undefined
}

export default defineConfig({
  base: '/',
  plugins: [vue()],
  define: {
    __VUE_OPTIONS_API__: 'true',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    __VUE_I18N_FULL_INSTALL__: 'true',
    __VUE_I18N_LEGACY_API__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
    __INTLIFY_JIT_COMPILATION__: 'true',
    __INTLIFY_DROP_MESSAGE_COMPILER__: 'false'
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: {
      '/api': {
        target: 'http://127.0.0.1:8080',
        changeOrigin: false
      }
    }
  },
  preview: {
    host: '127.0.0.1',
    port: 4173,
    proxy: {
      '/api': {
        target: 'http://127.0.0.1:8080',
        changeOrigin: false
      }
    }
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    // Element Plus is imported whole (by design); its chunk is ~1 MB minified.
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: { manualChunks }
    }
  }
})
