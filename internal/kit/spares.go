package kit

import "sync"

// Spares holds ids a fixture's New made for its Body to name later, by
// the node the row was made under and a name of the fixture's choosing: a
// creating route's body often names rows only a call can make (a worker,
// an unmatched need), and Body makes none. The matrix test runs fixtures
// from parallel tests, hence the lock. The zero value is ready to use.
type Spares struct {
	mu sync.Mutex
	of map[spareKey]string
}

type spareKey struct{ node, name string }

// Put keeps id as under's spare called name, replacing any before it.
func (s *Spares) Put(under Node, name, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.of == nil {
		s.of = map[spareKey]string{}
	}
	s.of[spareKey{under.ID, name}] = id
}

// Get returns under's spare called name, "" when none was put.
func (s *Spares) Get(under Node, name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.of[spareKey{under.ID, name}]
}
