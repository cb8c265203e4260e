package httpx

import (
	"net/http"

	"tongxin/internal/db"
)

// Leased gives every read-only request (GET, HEAD) a turn on the read pool
// (db.Lease): its reads wait for a place in the order requests came,
// rather than database/sql's random pick among the waiters. The place is
// given back as the answer begins — a slow client reading it must not
// hold one — or when the handler returns.
func Leased(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		ctx, l := db.WithLease(r.Context())
		defer l.Release()
		next.ServeHTTP(leaseWriter{w, l}, r.WithContext(ctx))
	})
}

// leaseWriter releases its lease before the first byte of the answer.
type leaseWriter struct {
	http.ResponseWriter
	l *db.Lease
}

func (w leaseWriter) WriteHeader(s int) {
	w.l.Release()
	w.ResponseWriter.WriteHeader(s)
}

func (w leaseWriter) Write(b []byte) (int, error) {
	w.l.Release()
	return w.ResponseWriter.Write(b)
}

func (w leaseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
