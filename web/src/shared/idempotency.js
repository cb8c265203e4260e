import { newIdempotencyKey } from '../api/client'

// useIdempotencyKey keeps the Idempotency-Key of one create form: made when the form opens,
// sent with every try, and replaced only once a try succeeds. A retry after a lost answer (no
// answer, a proxy's 502) therefore carries the same key, and the server answers it with the
// first answer instead of creating twice. The server keeps only successful answers, so a try it
// refused (422, 409 …) may be corrected and sent again under the same key.
export function useIdempotencyKey() {
  let key = newIdempotencyKey()
  return {
    get value() {
      return key
    },
    renew() {
      key = newIdempotencyKey()
    },
  }
}
