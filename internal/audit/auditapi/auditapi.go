// Package auditapi serves the audit log over HTTP.
package auditapi

import (
	"context"
	_ "embed"
	"fmt"
	"net/http"
	"sync/atomic"

	"tongxin/internal/access"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/httpx"
	"tongxin/internal/kit"
)

//go:embed openapi.yaml
var fragment []byte

// Domain returns the audit domain for the server to mount.
func Domain(d *db.DB) kit.Domain {
	h := handler{d}
	return kit.Domain{
		Name: "audit",
		Routes: []kit.Route{
			{Method: "GET", Path: "/api/v1/audit", Perm: audit.Read, Resource: "audit_entry", Handle: h.list},
		},
		OpenAPI:  fragment,
		Locales:  audit.Locales(),
		Tables:   []string{"audit_log", "audit_retention"},
		Fixtures: []kit.Fixture{entryFixture},
	}
}

type handler struct{ db *db.DB }

func (h handler) list(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := audit.Filter{ActorID: q.Get("actor_id"), EntityID: q.Get("entity_id")}
	if f.From, err = httpx.QueryDate(r, "from", false); err != nil {
		return err
	}
	if f.To, err = httpx.QueryDate(r, "to", true); err != nil {
		return err
	}
	list, err := audit.List(r.Context(), h.db.R, f, p)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, list)
	return nil
}

var seq atomic.Int64

// entryFixture makes an audit entry under a node by creating a park there
// (under a zone) or renaming the park (under a park); the entry's
// entity_id is the park's id.
var entryFixture = kit.Fixture{
	Resource: "audit_entry",
	Under:    []string{access.KindPark, access.KindZone},
	ListKey:  "entity_id",
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		n := seq.Add(1)
		if under.Kind == access.KindPark {
			err := c.Call(ctx, "PATCH", "/api/v1/parks/"+under.ID, map[string]string{"name": fmt.Sprintf("审计园 %d", n)}, nil)
			return map[string]string{"id": under.ID}, err
		}
		var p struct {
			ID string `json:"id"`
		}
		err := c.Call(ctx, "POST", "/api/v1/parks", map[string]string{"zone_id": under.ZoneID,
			"name": fmt.Sprintf("审计园 %d", n), "code": fmt.Sprintf("audit-%d", n)}, &p)
		return map[string]string{"id": p.ID}, err
	},
}
