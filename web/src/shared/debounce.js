// debounce delays fn until the caller has been quiet for ms (search boxes).
export function debounce(fn, ms = 300) {
  let timer
  const run = (...args) => {
    clearTimeout(timer)
    timer = setTimeout(() => fn(...args), ms)
  }
  run.cancel = () => clearTimeout(timer)
  return run
}
