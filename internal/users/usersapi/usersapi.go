// Package usersapi serves users and their grants over HTTP.
package usersapi

import (
	"context"
	_ "embed"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/auth/authapi"
	"tongxin/internal/httpx"
	"tongxin/internal/kit"
	"tongxin/internal/page"
	"tongxin/internal/users"
)

//go:embed openapi.yaml
var fragment []byte

// Domain returns the users domain for the server to mount.
func Domain(svc *users.Service) kit.Domain {
	h := handler{svc}
	return kit.Domain{
		Name: "users",
		Routes: []kit.Route{
			{Method: "GET", Path: "/api/v1/users", Perm: users.Manage, Resource: "user", Handle: h.list},
			{Method: "POST", Path: "/api/v1/users", Perm: users.Manage, Resource: "user", Create: true, Handle: h.create},
			{Method: "GET", Path: "/api/v1/users/{id}", Perm: users.Manage, Resource: "user", Handle: h.get},
			{Method: "POST", Path: "/api/v1/users/{id}/grants", Perm: users.Manage, Resource: "user", Create: true, Handle: h.addGrant},
			{Method: "DELETE", Path: "/api/v1/users/{id}/grants/{grant_id}", Perm: users.Manage, Resource: "grant", Handle: h.revokeGrant},
			{Method: "POST", Path: "/api/v1/users/{id}/password", Perm: users.Manage, Resource: "user", Handle: h.resetPassword},
		},
		OpenAPI:  fragment,
		Locales:  users.Locales(),
		Tables:   []string{"users", "grants"},
		Fixtures: []kit.Fixture{userFixture, grantFixture},
	}
}

type handler struct{ svc *users.Service }

// userBody is a user as the API shows it.
type userBody struct {
	ID          string          `json:"id"`
	ZoneID      string          `json:"zone_id"`
	Username    string          `json:"username"`
	DisplayName string          `json:"display_name"`
	PersonID    *string         `json:"person_id"`
	Grants      []authapi.Grant `json:"grants"`
	Version     int             `json:"version"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
}

func body(u users.User) userBody {
	return userBody{ID: u.ID, ZoneID: u.ZoneID, Username: u.Username, DisplayName: u.DisplayName, PersonID: u.PersonID,
		Grants: authapi.Grants(u.Grants), Version: u.Version, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

func (h handler) list(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	list, err := h.svc.List(r.Context(), p)
	if err != nil {
		return err
	}
	out := page.List[userBody]{Items: make([]userBody, len(list.Items)), NextCursor: list.NextCursor, Total: list.Total}
	for i, u := range list.Items {
		out.Items[i] = body(u)
	}
	httpx.JSON(w, http.StatusOK, out)
	return nil
}

type createRequest struct {
	ZoneID      string `json:"zone_id"`
	Username    string `json:"username"`
	Password    string `json:"password"`
	DisplayName string `json:"display_name"`
	PersonID    string `json:"person_id"`
}

func (h handler) create(w http.ResponseWriter, r *http.Request) error {
	var in createRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	u, err := h.svc.Create(r.Context(), users.Input(in))
	if err != nil {
		return err
	}
	httpx.ETag(w, u.Version)
	w.Header().Set("Location", "/api/v1/users/"+u.ID)
	httpx.JSON(w, http.StatusCreated, body(u))
	return nil
}

func (h handler) get(w http.ResponseWriter, r *http.Request) error {
	u, err := h.svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.ETag(w, u.Version)
	httpx.JSON(w, http.StatusOK, body(u))
	return nil
}

type grantRequest struct {
	Role    string `json:"role"`
	ScopeID string `json:"scope_id"`
}

func (h handler) addGrant(w http.ResponseWriter, r *http.Request) error {
	var in grantRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	g, err := h.svc.AddGrant(r.Context(), r.PathValue("id"), in.Role, in.ScopeID)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusCreated, authapi.Grants([]access.Grant{g})[0])
	return nil
}

func (h handler) revokeGrant(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.RevokeGrant(r.Context(), r.PathValue("id"), r.PathValue("grant_id")); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

type resetPasswordRequest struct {
	Password string `json:"password"`
}

func (h handler) resetPassword(w http.ResponseWriter, r *http.Request) error {
	var in resetPasswordRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	if err := h.svc.ResetPassword(r.Context(), r.PathValue("id"), in.Password); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

var seq atomic.Int64

func newUser(ctx context.Context, c kit.Caller, zoneID string) (string, error) {
	n := seq.Add(1)
	var u struct {
		ID string `json:"id"`
	}
	err := c.Call(ctx, "POST", "/api/v1/users", map[string]string{"zone_id": zoneID,
		"username": fmt.Sprintf("matrix-user-%d", n), "password": fmt.Sprintf("Matrix-pw-%d!", n), "display_name": "矩阵用户"}, &u)
	return u.ID, err
}

// userFixture makes a user of the zone the node lies in (users live in a
// zone; the scope of the node they are made "under" is their zone).
var userFixture = kit.Fixture{
	Resource: "user",
	Under:    []string{access.KindZone},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		id, err := newUser(ctx, c, under.ZoneID)
		return map[string]string{"id": id}, err
	},
	Body: func(route string, under kit.Node) any {
		n := seq.Add(1)
		switch route {
		case "POST /api/v1/users":
			return map[string]string{"zone_id": under.ZoneID, "username": fmt.Sprintf("matrix-new-%d", n),
				"password": fmt.Sprintf("Matrix-pw-%d!", n), "display_name": "新用户"}
		case "POST /api/v1/users/{id}/grants":
			return map[string]string{"role": access.Member, "scope_id": under.ID}
		case "POST /api/v1/users/{id}/password":
			return map[string]string{"password": fmt.Sprintf("Reset-pw-%d!", n)}
		}
		return nil
	},
}

// grantFixture makes a user of the node's zone holding member on the node.
var grantFixture = kit.Fixture{
	Resource: "grant",
	Under:    []string{access.KindPark, access.KindZone},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		id, err := newUser(ctx, c, under.ZoneID)
		if err != nil {
			return nil, err
		}
		var g struct {
			ID string `json:"id"`
		}
		err = c.Call(ctx, "POST", "/api/v1/users/"+id+"/grants", map[string]string{"role": access.Member, "scope_id": under.ID}, &g)
		return map[string]string{"id": id, "grant_id": g.ID}, err
	},
}
