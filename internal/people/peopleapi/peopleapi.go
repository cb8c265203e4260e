// Package peopleapi serves people and their party transfers over HTTP.
package peopleapi

import (
	"context"
	_ "embed"
	"net/http"
	"net/url"

	"github.com/go-json-experiment/json/jsontext"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/httpx"
	"tongxin/internal/kit"
	"tongxin/internal/people"
)

//go:embed openapi.yaml
var fragment []byte

// Domain returns the people domain for the server to mount.
func Domain(svc *people.Service) kit.Domain {
	h := handler{svc}
	return kit.Domain{
		Name: "people",
		Routes: []kit.Route{
			{Method: "GET", Path: "/api/v1/people", Perm: people.Read, Resource: "person", Handle: h.list},
			{Method: "POST", Path: "/api/v1/people", Perm: people.Manage, Resource: "person", Create: true, Handle: h.create},
			{Method: "GET", Path: "/api/v1/people/template", Perm: people.Manage, Resource: "person", Handle: h.template},
			{Method: "POST", Path: "/api/v1/people/import", Perm: people.Manage, Resource: "person", Upload: true, Handle: h.importRoster},
			{Method: "GET", Path: "/api/v1/people/export", Perm: people.Read, Resource: "person", Handle: h.export},
			{Method: "GET", Path: "/api/v1/people/me", Access: kit.Self, Handle: h.me},
			{Method: "GET", Path: "/api/v1/people/{id}", Perm: people.Read, Resource: "person", Handle: h.get},
			{Method: "PATCH", Path: "/api/v1/people/{id}", Perm: people.Manage, Resource: "person", Handle: h.update},
			{Method: "DELETE", Path: "/api/v1/people/{id}", Perm: people.Manage, Resource: "person", Handle: h.delete},
			{Method: "GET", Path: "/api/v1/people/{id}/transfers", Perm: people.Read, Resource: "person", Handle: h.transfers},
			{Method: "POST", Path: "/api/v1/people/{id}/transfers", Perm: people.Manage, Resource: "person", Create: true, Handle: h.transfer},
		},
		OpenAPI:  fragment,
		Locales:  people.Locales(),
		Tables:   []string{"people", "person_tags", "party_transfers"},
		Fixtures: []kit.Fixture{personFixture},
	}
}

type handler struct{ svc *people.Service }

// boolParam reads an optional true|false query parameter.
func boolParam(q url.Values, name string) (*bool, error) {
	switch q.Get(name) {
	case "":
		return nil, nil
	case "true":
		v := true
		return &v, nil
	case "false":
		v := false
		return &v, nil
	}
	return nil, apperr.BadField(name, "invalid_format")
}

func reveal(r *http.Request) (bool, error) {
	v, err := boolParam(r.URL.Query(), "reveal")
	return v != nil && *v, err
}

func (h handler) list(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	f, err := listFilter(r)
	if err != nil {
		return err
	}
	if f.Reveal, err = reveal(r); err != nil {
		return err
	}
	list, err := h.svc.List(r.Context(), f, p)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, list)
	return nil
}

// listFilter reads the filters of the list (and the export), phone and ID
// number normalised and checked.
func listFilter(r *http.Request) (people.Filter, error) {
	q := r.URL.Query()
	f := people.Filter{ZoneID: q.Get("zone_id"), EnterpriseID: q.Get("enterprise_id"), OrgID: q.Get("org_id"),
		ParkID: q.Get("park_id"), Tag: q.Get("tag"), Phone: q.Get("phone"), IDNumber: q.Get("id_number")}
	var err error
	if f.IsMember, err = boolParam(q, "is_member"); err != nil {
		return f, err
	}
	for field, v := range map[string]*string{"phone": &f.Phone, "id_number": &f.IDNumber} {
		if *v == "" {
			continue
		}
		if code := people.LookupError(field, v); code != "" {
			return f, apperr.BadField(field, code)
		}
	}
	return f, nil
}

func (h handler) get(w http.ResponseWriter, r *http.Request) error {
	clear, err := reveal(r)
	if err != nil {
		return err
	}
	p, err := h.svc.Get(r.Context(), r.PathValue("id"), clear)
	if err != nil {
		return err
	}
	httpx.ETag(w, p.Version)
	httpx.JSON(w, http.StatusOK, p)
	return nil
}

func (h handler) me(w http.ResponseWriter, r *http.Request) error {
	p, err := h.svc.Me(r.Context())
	if err != nil {
		return err
	}
	httpx.ETag(w, p.Version)
	httpx.JSON(w, http.StatusOK, p)
	return nil
}

type partyRequest struct {
	Status   string `json:"status"`
	OrgID    string `json:"org_id"`
	JoinedOn string `json:"joined_on"`
}

func (p *partyRequest) input() *people.PartyInput {
	if p == nil {
		return nil
	}
	return &people.PartyInput{Status: p.Status, OrgID: p.OrgID, JoinedOn: p.JoinedOn}
}

type createRequest struct {
	ZoneID       string        `json:"zone_id"`
	Name         string        `json:"name"`
	Gender       string        `json:"gender"`
	Phone        string        `json:"phone"`
	IDNumber     string        `json:"id_number"`
	EnterpriseID string        `json:"enterprise_id"`
	Party        *partyRequest `json:"party"`
	Tags         []string      `json:"tags"`
}

func (h handler) create(w http.ResponseWriter, r *http.Request) error {
	var in createRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	p, err := h.svc.Create(r.Context(), people.Input{ZoneID: in.ZoneID, Name: in.Name, Gender: in.Gender, Phone: in.Phone,
		IDNumber: in.IDNumber, EnterpriseID: in.EnterpriseID, Party: in.Party.input(), Tags: in.Tags})
	if err != nil {
		return err
	}
	httpx.ETag(w, p.Version)
	w.Header().Set("Location", "/api/v1/people/"+p.ID)
	httpx.JSON(w, http.StatusCreated, p)
	return nil
}

// updateRequest keeps party raw: absent leaves the membership as it is,
// null ends it, an object sets it.
type updateRequest struct {
	Name         *string        `json:"name"`
	Gender       *string        `json:"gender"`
	Phone        *string        `json:"phone"`
	IDNumber     *string        `json:"id_number"`
	EnterpriseID *string        `json:"enterprise_id"`
	Party        jsontext.Value `json:"party"`
	Tags         *[]string      `json:"tags"`
}

func (h handler) update(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	var in updateRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	patch := people.Patch{Name: in.Name, Gender: in.Gender, Phone: in.Phone, IDNumber: in.IDNumber,
		EnterpriseID: in.EnterpriseID, Tags: in.Tags}
	if len(in.Party) > 0 {
		// Decoded again inside its envelope, so errors name "party.…".
		var party struct {
			Party *partyRequest `json:"party"`
		}
		if err := httpx.DecodeBytes([]byte(`{"party":`+string(in.Party)+`}`), &party); err != nil {
			return err
		}
		patch.SetParty, patch.Party = true, party.Party.input()
	}
	p, err := h.svc.Update(r.Context(), r.PathValue("id"), patch, match)
	if err != nil {
		return err
	}
	httpx.ETag(w, p.Version)
	httpx.JSON(w, http.StatusOK, p)
	return nil
}

func (h handler) delete(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	if err := h.svc.Delete(r.Context(), r.PathValue("id"), match); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

type transferRequest struct {
	ToOrgID    string `json:"to_org_id"`
	OutsideOrg string `json:"outside_org"`
	OnDate     string `json:"on_date"`
	Note       string `json:"note"`
	Status     string `json:"status"`
	JoinedOn   string `json:"joined_on"`
}

func (h handler) transfer(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	var in transferRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	t, err := h.svc.Transfer(r.Context(), r.PathValue("id"), people.TransferInput(in), match)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusCreated, t)
	return nil
}

func (h handler) transfers(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	list, err := h.svc.Transfers(r.Context(), r.PathValue("id"), p)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, list)
	return nil
}

// personFixture makes members of a party organisation when the matrix
// places rows under one (a branch secretary, a park's staff and the zone
// see them), people of an enterprise under an enterprise (its partner),
// and people of neither under a zone (only the zone sees them).
var personFixture = kit.Fixture{
	Resource: "person",
	Under:    []string{access.KindOrg, access.KindEnterprise, access.KindZone},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		var p struct {
			ID string `json:"id"`
		}
		err := c.Call(ctx, "POST", "/api/v1/people", CreateBody(under), &p)
		return map[string]string{"id": p.ID}, err
	},
	Body: func(route string, under kit.Node) any {
		switch route {
		case "POST /api/v1/people":
			return CreateBody(under)
		case "POST /api/v1/people/import":
			return kit.File{ContentType: "text/csv", Data: importFile(under)}
		case "PATCH /api/v1/people/{id}":
			return map[string]any{"name": kit.Unique("改名 "), "tags": []string{"志愿者"}}
		case "POST /api/v1/people/{id}/transfers":
			if under.Kind == access.KindOrg {
				return map[string]string{"outside_org": "晋江市外某党支部", "on_date": "2024-03-01", "note": "matrix"}
			}
			return map[string]string{"outside_org": "外地某党支部", "status": "full", "joined_on": "2019-07-01",
				"on_date": "2024-03-01", "to_org_id": under.ID}
		}
		return nil
	},
}

// CreateBody is a body creating a person under a node (an organisation
// makes them a member, an enterprise a worker, a zone neither), for the
// fixtures of domains whose rows need a person.
func CreateBody(under kit.Node) map[string]any {
	b := map[string]any{"zone_id": under.ZoneID, "name": kit.Unique("矩阵人员 "), "phone": "13800138000"}
	switch under.Kind {
	case access.KindOrg:
		b["party"] = map[string]string{"status": "full", "org_id": under.ID, "joined_on": "2018-07-01"}
	case access.KindEnterprise:
		b["enterprise_id"] = under.ID
	}
	return b
}

// importFile is a roster of one person placed as CreateBody places them:
// the enterprise or organisation by its id (the matrix knows its nodes by
// id alone).
func importFile(under kit.Node) []byte {
	name := kit.Unique("导入人员 ")
	switch under.Kind {
	case access.KindOrg:
		return []byte("姓名,手机号,政治面貌,所属党组织,入党日期\r\n" + name + ",13800138000,正式党员," + under.ID + ",2018-07-01\r\n")
	case access.KindEnterprise:
		return []byte("姓名,手机号,所属企业\r\n" + name + ",13800138000," + under.ID + "\r\n")
	}
	return []byte("姓名,手机号\r\n" + name + ",13800138000\r\n")
}
