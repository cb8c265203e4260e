// Package partyaffairsapi serves party affairs (dues, arrears, elections,
// member development, a member's own record), the party-building brands
// with their evaluations, and the innovation log over HTTP.
package partyaffairsapi

import (
	_ "embed"
	"net/http"

	"tongxin/internal/httpx"
	"tongxin/internal/kit"
	"tongxin/internal/page"
	"tongxin/internal/partyaffairs"
)

//go:embed openapi.yaml
var fragment []byte

// Domain returns the party affairs domain for the server to mount.
func Domain(svc *partyaffairs.Service) kit.Domain {
	h := handler{svc}
	due := kit.Resource{Name: "party_due", Reads: partyaffairs.Read, Writes: partyaffairs.Manage}
	election := kit.Resource{Name: "party_election", Reads: partyaffairs.Read, Writes: partyaffairs.Manage}
	development := kit.Resource{Name: "party_development", Reads: partyaffairs.Read, Writes: partyaffairs.Manage}
	brand := kit.Resource{Name: "brand", Reads: partyaffairs.BrandRead, Writes: partyaffairs.BrandManage}
	innovation := kit.Resource{Name: "innovation", Reads: partyaffairs.BrandRead, Writes: partyaffairs.BrandManage}
	return kit.Domain{
		Name: "partyaffairs",
		Routes: []kit.Route{
			due.Read("GET", "/api/v1/party-dues", h.listDues),
			due.Create("/api/v1/party-dues", h.recordDue),
			{Method: "GET", Path: "/api/v1/party-dues/arrears", Access: kit.Self, Handle: h.arrears},
			{Method: "GET", Path: "/api/v1/party-dues/arrears/export", Access: kit.Self, Handle: h.arrearsExport},
			due.Read("GET", "/api/v1/party-dues/{id}", h.getDue),
			due.Write("DELETE", "/api/v1/party-dues/{id}", h.deleteDue),
			election.Read("GET", "/api/v1/party-elections", h.listElections),
			election.Create("/api/v1/party-elections", h.recordElection),
			election.Read("GET", "/api/v1/party-elections/{id}", h.getElection),
			development.Read("GET", "/api/v1/party-development", h.listDevelopment),
			development.Create("/api/v1/party-development", h.startDevelopment),
			development.Read("GET", "/api/v1/party-development/{id}", h.getDevelopment),
			development.Write("POST", "/api/v1/party-development/{id}/stages", h.advance),
			{Method: "GET", Path: "/api/v1/me/party", Access: kit.Self, Handle: h.me},
			brand.Read("GET", "/api/v1/brands", h.listBrands),
			brand.Create("/api/v1/brands", h.createBrand),
			brand.Read("GET", "/api/v1/brands/{id}", h.getBrand),
			brand.Write("PATCH", "/api/v1/brands/{id}", h.updateBrand),
			brand.Write("DELETE", "/api/v1/brands/{id}", h.deleteBrand),
			brand.Needs(partyaffairs.Evaluate, "POST", "/api/v1/brands/{id}/evaluations", h.evaluate),
			innovation.Read("GET", "/api/v1/innovations", h.listInnovations),
			innovation.Create("/api/v1/innovations", h.logInnovation),
			{Method: "GET", Path: "/api/v1/innovations/report", Access: kit.Self, Handle: h.reportInnovations},
			innovation.Read("GET", "/api/v1/innovations/export", h.exportInnovations),
			innovation.Read("GET", "/api/v1/innovations/{id}", h.getInnovation),
			innovation.Write("PATCH", "/api/v1/innovations/{id}", h.updateInnovation),
			innovation.Write("DELETE", "/api/v1/innovations/{id}", h.deleteInnovation),
		},
		OpenAPI: fragment,
		Locales: partyaffairs.Locales(),
		Tables: []string{"party_dues", "party_elections", "party_election_candidates", "party_development", "party_development_stages",
			"brands", "brand_practices", "brand_evaluations", "innovations", "innovation_tags"},
		Fixtures: []kit.Fixture{dueFixture, electionFixture, developmentFixture, brandFixture, innovationFixture},
	}
}

type handler struct{ svc *partyaffairs.Service }

// --- dues ---

func (h handler) listDues(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	l, err := h.svc.ListDues(r.Context(), partyaffairs.DueFilter{OrgID: q.Get("org_id"), PersonID: q.Get("person_id"), Month: q.Get("month")}, p)
	return kit.List(w, l, err)
}

type dueRequest struct {
	PersonID string `json:"person_id"`
	Month    string `json:"month"`
	BaseFen  *int64 `json:"base_fen"`
	PaidOn   string `json:"paid_on"`
	Note     string `json:"note"`
}

func (h handler) recordDue(w http.ResponseWriter, r *http.Request) error {
	var in dueRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	d, err := h.svc.RecordDue(r.Context(), partyaffairs.DueInput{PersonID: in.PersonID, Month: in.Month, BaseFen: in.BaseFen, PaidOn: in.PaidOn, Note: in.Note})
	if err != nil {
		return err
	}
	return kit.Created(w, "/api/v1/party-dues/"+d.ID, d.Version, d)
}

func (h handler) getDue(w http.ResponseWriter, r *http.Request) error {
	d, err := h.svc.GetDue(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, d.Version, d)
}

func (h handler) deleteDue(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteDue(r.Context(), r.PathValue("id"), match); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

func (h handler) arrears(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	items, f, err := h.svc.Arrears(r.Context(), partyaffairs.ArrearsFilter{OrgID: q.Get("org_id"), From: q.Get("from"), To: q.Get("to")})
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"items": items, "total": len(items), "next_cursor": nil, "from": f.From, "to": f.To})
	return nil
}

func (h handler) arrearsExport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	items, f, err := h.svc.Arrears(r.Context(), partyaffairs.ArrearsFilter{OrgID: q.Get("org_id"), From: q.Get("from"), To: q.Get("to")})
	if err != nil {
		return err
	}
	return httpx.Export(w, r, httpx.FileName(r, "党费欠缴名单-"+f.From+"至"+f.To, "dues-arrears-"+f.From+"-"+f.To, false), partyaffairs.ArrearsColumns(),
		func(write func([]string) error) error {
			for _, a := range items {
				if err := write(partyaffairs.ArrearRecord(a)); err != nil {
					return err
				}
			}
			return nil
		})
}

// --- elections ---

func (h handler) listElections(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	l, err := h.svc.ListElections(r.Context(), r.URL.Query().Get("org_id"), p)
	return kit.List(w, l, err)
}

type candidateRequest struct {
	Name     string `json:"name"`
	PersonID string `json:"person_id"`
	Votes    *int   `json:"votes"`
}

type electionRequest struct {
	OrgID      string             `json:"org_id"`
	HeldOn     string             `json:"held_on"`
	Seats      int                `json:"seats"`
	Voters     int                `json:"voters"`
	Candidates []candidateRequest `json:"candidates"`
	Note       string             `json:"note"`
}

func (h handler) recordElection(w http.ResponseWriter, r *http.Request) error {
	var in electionRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	cs := make([]partyaffairs.CandidateInput, len(in.Candidates))
	for i, c := range in.Candidates {
		cs[i] = partyaffairs.CandidateInput{Name: c.Name, PersonID: c.PersonID, Votes: c.Votes}
	}
	e, err := h.svc.RecordElection(r.Context(), partyaffairs.ElectionInput{OrgID: in.OrgID, HeldOn: in.HeldOn, Seats: in.Seats, Voters: in.Voters,
		Candidates: cs, Note: in.Note})
	if err != nil {
		return err
	}
	return kit.Created(w, "/api/v1/party-elections/"+e.ID, e.Version, e)
}

func (h handler) getElection(w http.ResponseWriter, r *http.Request) error {
	e, err := h.svc.GetElection(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, e.Version, e)
}

// --- development ---

func (h handler) listDevelopment(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	l, err := h.svc.ListDevelopment(r.Context(), partyaffairs.DevelopmentFilter{OrgID: q.Get("org_id"), Stage: q.Get("stage")}, p)
	return kit.List(w, l, err)
}

type developmentRequest struct {
	PersonID  string `json:"person_id"`
	OrgID     string `json:"org_id"`
	AppliedOn string `json:"applied_on"`
	Note      string `json:"note"`
}

func (h handler) startDevelopment(w http.ResponseWriter, r *http.Request) error {
	var in developmentRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	d, err := h.svc.StartDevelopment(r.Context(), partyaffairs.DevelopmentInput{PersonID: in.PersonID, OrgID: in.OrgID, AppliedOn: in.AppliedOn, Note: in.Note})
	if err != nil {
		return err
	}
	return kit.Created(w, "/api/v1/party-development/"+d.ID, d.Version, d)
}

func (h handler) getDevelopment(w http.ResponseWriter, r *http.Request) error {
	d, err := h.svc.GetDevelopment(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, d.Version, d)
}

type stageRequest struct {
	Stage     string `json:"stage"`
	ReachedOn string `json:"reached_on"`
	Note      string `json:"note"`
}

func (h handler) advance(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	var in stageRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	d, err := h.svc.Advance(r.Context(), r.PathValue("id"), partyaffairs.StageInput{Stage: in.Stage, ReachedOn: in.ReachedOn, Note: in.Note}, match)
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, d.Version, d)
}

func (h handler) me(w http.ResponseWriter, r *http.Request) error {
	m, err := h.svc.Me(r.Context())
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, m)
	return nil
}

// --- brands ---

func (h handler) listBrands(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	l, err := h.svc.ListBrands(r.Context(), partyaffairs.BrandFilter{EnterpriseID: q.Get("enterprise_id"), OrgID: q.Get("org_id"),
		Function: q.Get("function")}, p)
	return kit.List(w, l, err)
}

type practiceRequest struct {
	Title       string `json:"title"`
	Description string `json:"description"`
}

func practices(in []practiceRequest) []partyaffairs.Practice {
	out := make([]partyaffairs.Practice, len(in))
	for i, p := range in {
		out[i] = partyaffairs.Practice{Title: p.Title, Description: p.Description}
	}
	return out
}

type createBrandRequest struct {
	EnterpriseID string            `json:"enterprise_id"`
	OrgID        string            `json:"org_id"`
	Name         string            `json:"name"`
	Slogan       string            `json:"slogan"`
	Description  string            `json:"description"`
	Function     string            `json:"function"`
	Practices    []practiceRequest `json:"practices"`
}

func (h handler) createBrand(w http.ResponseWriter, r *http.Request) error {
	var in createBrandRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	b, err := h.svc.CreateBrand(r.Context(), partyaffairs.BrandInput{EnterpriseID: in.EnterpriseID, OrgID: in.OrgID, Name: in.Name, Slogan: in.Slogan,
		Description: in.Description, Function: in.Function, Practices: practices(in.Practices)})
	if err != nil {
		return err
	}
	return kit.Created(w, "/api/v1/brands/"+b.ID, b.Version, b)
}

func (h handler) getBrand(w http.ResponseWriter, r *http.Request) error {
	b, err := h.svc.GetBrand(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, b.Version, b)
}

type updateBrandRequest struct {
	Name        *string            `json:"name"`
	Slogan      *string            `json:"slogan"`
	Description *string            `json:"description"`
	Function    *string            `json:"function"`
	Practices   *[]practiceRequest `json:"practices"`
}

func (h handler) updateBrand(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	var in updateBrandRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	patch := partyaffairs.BrandPatch{Name: in.Name, Slogan: in.Slogan, Description: in.Description, Function: in.Function}
	if in.Practices != nil {
		ps := practices(*in.Practices)
		patch.Practices = &ps
	}
	b, err := h.svc.UpdateBrand(r.Context(), r.PathValue("id"), patch, match)
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, b.Version, b)
}

func (h handler) deleteBrand(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteBrand(r.Context(), r.PathValue("id"), match); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

type evaluationRequest struct {
	Year  int    `json:"year"`
	Score *int   `json:"score"`
	Note  string `json:"note"`
}

func (h handler) evaluate(w http.ResponseWriter, r *http.Request) error {
	var in evaluationRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	b, err := h.svc.Evaluate(r.Context(), r.PathValue("id"), partyaffairs.EvaluationInput{Year: in.Year, Score: in.Score, Note: in.Note})
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusCreated, b.Version, b)
}

// --- innovations ---

func innovationFilter(r *http.Request) partyaffairs.InnovationFilter {
	q := r.URL.Query()
	return partyaffairs.InnovationFilter{Function: q.Get("function"), Level: q.Get("level"), ParkID: q.Get("park_id"),
		OrganizerID: q.Get("organizer_id"), Tag: q.Get("tag"), From: q.Get("from"), To: q.Get("to")}
}

func (h handler) listInnovations(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	l, err := h.svc.ListInnovations(r.Context(), innovationFilter(r), p)
	return kit.List(w, l, err)
}

func (h handler) reportInnovations(w http.ResponseWriter, r *http.Request) error {
	rep, err := h.svc.ReportInnovations(r.Context(), innovationFilter(r))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, rep)
	return nil
}

func (h handler) exportInnovations(w http.ResponseWriter, r *http.Request) error {
	p, err := page.Parse("", "", r.URL.Query().Get("q"))
	if err != nil {
		return err
	}
	lang := httpx.Lang(r).Lang()
	return httpx.Export(w, r, httpx.FileName(r, "创新举措", "innovations", true), partyaffairs.InnovationColumns(),
		func(write func([]string) error) error {
			return h.svc.ExportInnovations(r.Context(), innovationFilter(r), p.Query, func(in partyaffairs.Innovation) error {
				return write(partyaffairs.InnovationRecord(in, lang))
			})
		})
}

type innovationRequest struct {
	OrganizerID  string   `json:"organizer_id"`
	Title        string   `json:"title"`
	Practice     string   `json:"practice"`
	Function     string   `json:"function"`
	Results      string   `json:"results"`
	IntroducedOn string   `json:"introduced_on"`
	Tags         []string `json:"tags"`
}

func (h handler) logInnovation(w http.ResponseWriter, r *http.Request) error {
	var in innovationRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	it, err := h.svc.LogInnovation(r.Context(), partyaffairs.InnovationInput{OrganizerID: in.OrganizerID, Title: in.Title, Practice: in.Practice,
		Function: in.Function, Results: in.Results, IntroducedOn: in.IntroducedOn, Tags: in.Tags})
	if err != nil {
		return err
	}
	return kit.Created(w, "/api/v1/innovations/"+it.ID, it.Version, it)
}

func (h handler) getInnovation(w http.ResponseWriter, r *http.Request) error {
	it, err := h.svc.GetInnovation(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, it.Version, it)
}

type updateInnovationRequest struct {
	Title        *string   `json:"title"`
	Practice     *string   `json:"practice"`
	Function     *string   `json:"function"`
	Results      *string   `json:"results"`
	IntroducedOn *string   `json:"introduced_on"`
	Tags         *[]string `json:"tags"`
}

func (h handler) updateInnovation(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	var in updateInnovationRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	it, err := h.svc.UpdateInnovation(r.Context(), r.PathValue("id"), partyaffairs.InnovationPatch{Title: in.Title, Practice: in.Practice,
		Function: in.Function, Results: in.Results, IntroducedOn: in.IntroducedOn, Tags: in.Tags}, match)
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, it.Version, it)
}

func (h handler) deleteInnovation(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteInnovation(r.Context(), r.PathValue("id"), match); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}
