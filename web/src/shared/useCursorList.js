import { computed, reactive } from 'vue'
import { showError } from './errors'

// useCursorList pages through a list endpoint ({items, next_cursor, total}). fetchPage(cursor)
// does the call with the page's filters. The cursors of the pages before the current one are
// kept on a stack so "previous" can go back; a new search starts again from the first page.
export function useCursorList(fetchPage) {
  const state = reactive({
    items: [],
    total: 0,
    loading: false,
    nextCursor: null,
    cursors: [null], // cursor of each page visited; the last one is the current page
  })
  let seq = 0

  async function load() {
    const mine = ++seq
    state.loading = true
    try {
      const page = await fetchPage(state.cursors[state.cursors.length - 1])
      if (mine !== seq) return
      state.items = page.items || []
      state.total = page.total ?? state.items.length
      state.nextCursor = page.next_cursor || null
    } catch (err) {
      if (mine === seq) showError(err)
    } finally {
      if (mine === seq) state.loading = false
    }
  }

  return {
    state,
    // the props of CursorPager: <CursorPager v-bind="pager" @prev="prev" @next="next" />
    pager: computed(() => ({
      total: state.total,
      page: state.cursors.length,
      hasPrev: state.cursors.length > 1,
      hasNext: !!state.nextCursor,
      loading: state.loading,
    })),
    // first page again, e.g. after the filters changed
    reset() {
      state.cursors = [null]
      return load()
    },
    // the current page again, e.g. after a record on it changed
    async refresh() {
      await load()
      if (state.items.length === 0 && state.cursors.length > 1) {
        state.cursors.pop()
        await load()
      }
    },
    next() {
      if (!state.nextCursor) return
      state.cursors.push(state.nextCursor)
      return load()
    },
    prev() {
      if (state.cursors.length < 2) return
      state.cursors.pop()
      return load()
    },
  }
}
