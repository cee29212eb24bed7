import { reactive, ref } from 'vue'

/**
 * The errors of a form: `errors` by field (bound to the form items' `:error`) and `formError`, one message for the
 * form as a whole (an alert above it). `clearErrors()` empties both; `hasErrors()` tells whether a field has one.
 * `showFailure(e, isField)` shows the API error of a failed save: on the field the server named when
 * `isField(e.field)`, else above the form; an error already shown elsewhere (`e.handled`) is left alone.
 */
export function useFormErrors() {
  const errors = reactive({})
  const formError = ref('')

  function clearErrors() {
    for (const k of Object.keys(errors)) delete errors[k]
    formError.value = ''
  }
  const hasErrors = () => Object.keys(errors).length > 0

  function showFailure(e, isField) {
    if (e && e.handled) return
    if (e && e.field && isField(e.field)) errors[e.field] = e.message
    else formError.value = e.message
  }

  return { errors, formError, clearErrors, hasErrors, showFailure }
}
