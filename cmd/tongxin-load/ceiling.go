package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"tongxin/internal/db"
	"tongxin/internal/gcpace"
)

// The ceiling: bare Go handlers on the same engine and driver as the
// server (internal/db.Open: the same pools and pragmas), with nothing of
// the platform in between — no session, no scope, no middleware. What the
// server reaches as a share of these is what the platform costs.

type ceilingRow struct {
	ID           string  `json:"id"`
	ZoneID       string  `json:"zone_id"`
	Name         string  `json:"name"`
	Gender       *string `json:"gender"`
	EnterpriseID *string `json:"enterprise_id"`
	OrgID        *string `json:"org_id"`
	PartyStatus  *string `json:"party_status"`
	Version      int64   `json:"version"`
	CreatedAt    int64   `json:"created_at"`
	UpdatedAt    int64   `json:"updated_at"`
}

const ceilingCols = `id, zone_id, name, gender, enterprise_id, org_id, party_status, version, created_at, updated_at`

func scanCeiling(s interface{ Scan(...any) error }) (ceilingRow, error) {
	var r ceilingRow
	var g, e, o, p sql.NullString
	err := s.Scan(&r.ID, &r.ZoneID, &r.Name, &g, &e, &o, &p, &r.Version, &r.CreatedAt, &r.UpdatedAt)
	for _, x := range []struct {
		v *sql.NullString
		p **string
	}{{&g, &r.Gender}, {&e, &r.EnterpriseID}, {&o, &r.OrgID}, {&p, &r.PartyStatus}} {
		if x.v.Valid {
			s := x.v.String
			*x.p = &s
		}
	}
	return r, err
}

func ceilingMain(args []string) error {
	fs := flag.NewFlagSet("ceiling", flag.ContinueOnError)
	dsn := fs.String("db", "", "database")
	conns := fs.Int("conns", 32, "most PostgreSQL connections (the server's pool keeps 32)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The server's collector pace: ratios compare like with like.
	gcpace.Start(ctx)
	d, err := db.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer d.Close()
	if d.Dialect == db.Postgres {
		d.R.SetMaxOpenConns(*conns)
		d.R.SetMaxIdleConns(*conns)
	}
	mux := http.NewServeMux()
	// GET /pk/{id}: one person by primary key.
	mux.HandleFunc("GET /pk/{id}", func(w http.ResponseWriter, r *http.Request) {
		row, err := scanCeiling(d.R.QueryRowContext(r.Context(), `SELECT `+ceilingCols+` FROM people WHERE id = $1`, r.PathValue("id")))
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		writeJSON(w, row)
	})
	// GET /page?zone=&after=: 51 people ordered by id, 50 returned with
	// the cursor of the next page.
	mux.HandleFunc("GET /page", func(w http.ResponseWriter, r *http.Request) {
		rows, err := d.R.QueryContext(r.Context(), `SELECT `+ceilingCols+` FROM people WHERE zone_id = $1 AND id > $2 ORDER BY id LIMIT 51`,
			r.URL.Query().Get("zone"), r.URL.Query().Get("after"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer rows.Close()
		items := make([]ceilingRow, 0, 51)
		for rows.Next() {
			row, err := scanCeiling(rows)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			items = append(items, row)
		}
		if err := rows.Err(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		var next *string
		if len(items) > 50 {
			items = items[:50]
			next = &items[49].ID
		}
		writeJSON(w, map[string]any{"items": items, "next_cursor": next})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Println(ln.Addr().String())
	srv := &http.Server{Handler: mux}
	go func() { <-ctx.Done(); srv.Close() }()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
