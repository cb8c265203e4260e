// Package arteryapi serves the artery — chains, institutes, listings,
// proposals, matches and cooperations — over HTTP.
package arteryapi

import (
	_ "embed"
	"net/http"
	"strconv"

	"tongxin/internal/apperr"
	"tongxin/internal/artery"
	"tongxin/internal/geo"
	"tongxin/internal/httpx"
	"tongxin/internal/kit"
	"tongxin/internal/page"
)

//go:embed openapi.yaml
var fragment []byte

// Domain returns the artery domain for the server to mount.
func Domain(svc *artery.Service) kit.Domain {
	h := handler{svc}
	chain := kit.Resource{Name: "chain", Reads: artery.Read, Writes: artery.Manage}
	institute := kit.Resource{Name: "institute", Reads: artery.Read, Writes: artery.Manage}
	listing := kit.Resource{Name: "listing", Reads: artery.Read, Writes: artery.Post}
	match := kit.Resource{Name: "match", Reads: artery.Read, Writes: artery.Broker}
	coop := kit.Resource{Name: "cooperation", Reads: artery.Read, Writes: artery.Broker}
	return kit.Domain{
		Name: "artery",
		Routes: []kit.Route{
			chain.Read("GET", "/api/v1/chains", h.listChains),
			{Method: "GET", Path: "/api/v1/chain-options", Access: kit.Self, Handle: h.chainOptions},
			chain.Create("/api/v1/chains", h.createChain),
			chain.Read("GET", "/api/v1/chains/{id}", h.getChain),
			chain.Write("PATCH", "/api/v1/chains/{id}", h.updateChain),
			chain.Write("DELETE", "/api/v1/chains/{id}", h.deleteChain),
			chain.Read("GET", "/api/v1/chains/{id}/map", h.chainMap),
			chain.Read("GET", "/api/v1/chains/{id}/map/export", h.chainMapExport),
			institute.Read("GET", "/api/v1/institutes", h.listInstitutes),
			institute.Create("/api/v1/institutes", h.createInstitute),
			institute.Read("GET", "/api/v1/institutes/{id}", h.getInstitute),
			institute.Write("PATCH", "/api/v1/institutes/{id}", h.updateInstitute),
			institute.Write("DELETE", "/api/v1/institutes/{id}", h.deleteInstitute),
			listing.Read("GET", "/api/v1/listings", h.listListings),
			listing.Create("/api/v1/listings", h.createListing),
			listing.Read("GET", "/api/v1/listings/{id}", h.getListing),
			listing.Write("PATCH", "/api/v1/listings/{id}", h.updateListing),
			listing.Write("DELETE", "/api/v1/listings/{id}", h.deleteListing),
			listing.Read("GET", "/api/v1/listings/{id}/proposals", h.proposals),
			match.Read("GET", "/api/v1/matches", h.listMatches),
			match.Create("/api/v1/matches", h.createMatch),
			match.Read("GET", "/api/v1/matches/{id}", h.getMatch),
			match.Needs(artery.Respond, "POST", "/api/v1/matches/{id}/actions", h.actOnMatch),
			coop.Read("GET", "/api/v1/cooperations", h.listCooperations),
			coop.Create("/api/v1/cooperations", h.createCooperation),
			coop.Read("GET", "/api/v1/cooperations/{id}", h.getCooperation),
			coop.Write("PATCH", "/api/v1/cooperations/{id}", h.updateCooperation),
			coop.Write("POST", "/api/v1/cooperations/{id}/actions", h.actOnCooperation),
		},
		OpenAPI: fragment,
		Locales: artery.Locales(),
		Tables: []string{"chains", "chain_segments", "segment_enterprises", "institutes", "listings", "listing_seq", "listing_changes", "matches",
			"cooperations", "cooperation_parties", "cooperation_milestones", "cooperation_outcomes"},
		Fixtures: []kit.Fixture{chainFixture, instituteFixture, listingFixture, matchFixture, cooperationFixture},
	}
}

type handler struct{ svc *artery.Service }

// --- chains ---

func (h handler) listChains(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	l, err := h.svc.ListChains(r.Context(), p)
	return kit.List(w, l, err)
}

func (h handler) chainOptions(w http.ResponseWriter, r *http.Request) error {
	cs, err := h.svc.ChainOptions(r.Context())
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"items": cs})
	return nil
}

func (h handler) getChain(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.GetChain(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, c.Version, c)
}

type segmentRequest struct {
	ID            string   `json:"id"`
	Stage         string   `json:"stage"`
	Name          string   `json:"name"`
	EnterpriseIDs []string `json:"enterprise_ids"`
}

func segmentInputs(in []segmentRequest) []artery.SegmentInput {
	out := make([]artery.SegmentInput, len(in))
	for i, s := range in {
		out[i] = artery.SegmentInput{ID: s.ID, Stage: s.Stage, Name: s.Name, EnterpriseIDs: s.EnterpriseIDs}
	}
	return out
}

type createChainRequest struct {
	ZoneID      string           `json:"zone_id"`
	Name        string           `json:"name"`
	Description string           `json:"description"`
	Segments    []segmentRequest `json:"segments"`
}

func (h handler) createChain(w http.ResponseWriter, r *http.Request) error {
	var in createChainRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	c, err := h.svc.CreateChain(r.Context(), artery.ChainInput{ZoneID: in.ZoneID, Name: in.Name, Description: in.Description, Segments: segmentInputs(in.Segments)})
	if err != nil {
		return err
	}
	return kit.Created(w, "/api/v1/chains/"+c.ID, c.Version, c)
}

type updateChainRequest struct {
	Name        *string           `json:"name"`
	Description *string           `json:"description"`
	Segments    *[]segmentRequest `json:"segments"`
}

func (h handler) updateChain(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	var in updateChainRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	patch := artery.ChainPatch{Name: in.Name, Description: in.Description}
	if in.Segments != nil {
		s := segmentInputs(*in.Segments)
		patch.Segments = &s
	}
	c, err := h.svc.UpdateChain(r.Context(), r.PathValue("id"), patch, match)
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, c.Version, c)
}

func (h handler) deleteChain(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteChain(r.Context(), r.PathValue("id"), match); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

func (h handler) chainMap(w http.ResponseWriter, r *http.Request) error {
	m, err := h.svc.ChainMap(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, m)
	return nil
}

func (h handler) chainMapExport(w http.ResponseWriter, r *http.Request) error {
	m, err := h.svc.ChainMap(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.Export(w, r, httpx.FileName(r, "产业链图谱-"+m.Chain.Name, "chain-map-"+m.Chain.Name, true), artery.ChainMapColumns(),
		func(write func([]string) error) error {
			for _, rec := range artery.ChainMapRecords(m, httpx.Lang(r).Lang()) {
				if err := write(rec); err != nil {
					return err
				}
			}
			return nil
		})
}

// --- institutes ---

type location struct {
	Lat *float64 `json:"lat"`
	Lng *float64 `json:"lng"`
}

// point checks a location as sent: both coordinates are required.
func (l *location) point() (*geo.Point, error) {
	if l == nil {
		return nil, nil
	}
	var fs apperr.Fields
	if l.Lat == nil {
		fs.Add("location.lat", "required")
	}
	if l.Lng == nil {
		fs.Add("location.lng", "required")
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	return &geo.Point{Lat: *l.Lat, Lng: *l.Lng}, nil
}

func (h handler) listInstitutes(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	l, err := h.svc.ListInstitutes(r.Context(), p)
	return kit.List(w, l, err)
}

func (h handler) getInstitute(w http.ResponseWriter, r *http.Request) error {
	in, err := h.svc.GetInstitute(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, in.Version, in)
}

type createInstituteRequest struct {
	ZoneID      string    `json:"zone_id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Address     string    `json:"address"`
	Location    *location `json:"location"`
}

func (h handler) createInstitute(w http.ResponseWriter, r *http.Request) error {
	var in createInstituteRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	pt, err := in.Location.point()
	if err != nil {
		return err
	}
	it, err := h.svc.CreateInstitute(r.Context(), artery.InstituteInput{ZoneID: in.ZoneID, Name: in.Name, Description: in.Description,
		Address: in.Address, Location: pt})
	if err != nil {
		return err
	}
	return kit.Created(w, "/api/v1/institutes/"+it.ID, it.Version, it)
}

type updateInstituteRequest struct {
	Name        *string                  `json:"name"`
	Description *string                  `json:"description"`
	Address     *string                  `json:"address"`
	Location    httpx.Optional[location] `json:"location"`
}

func (h handler) updateInstitute(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	var in updateInstituteRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	pt, err := in.Location.Value.point()
	if err != nil {
		return err
	}
	it, err := h.svc.UpdateInstitute(r.Context(), r.PathValue("id"), artery.InstitutePatch{Name: in.Name, Description: in.Description,
		Address: in.Address, SetLocation: in.Location.Set, Location: pt}, match)
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, it.Version, it)
}

func (h handler) deleteInstitute(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteInstitute(r.Context(), r.PathValue("id"), match); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

// --- listings ---

func (h handler) listListings(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	l, err := h.svc.ListListings(r.Context(), artery.ListingFilter{Kind: q.Get("kind"), Category: q.Get("category"), ChainID: q.Get("chain_id"),
		SegmentID: q.Get("segment_id"), EnterpriseID: q.Get("enterprise_id"), InstituteID: q.Get("institute_id"), ParkID: q.Get("park_id"),
		Status: q.Get("status")}, p)
	return kit.List(w, l, err)
}

func (h handler) getListing(w http.ResponseWriter, r *http.Request) error {
	l, err := h.svc.GetListing(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, l.Version, l)
}

type createListingRequest struct {
	Kind         string `json:"kind"`
	Category     string `json:"category"`
	ChainID      string `json:"chain_id"`
	SegmentID    string `json:"segment_id"`
	Title        string `json:"title"`
	Text         string `json:"text"`
	EnterpriseID string `json:"enterprise_id"`
	InstituteID  string `json:"institute_id"`
	ValidFrom    string `json:"valid_from"`
	ValidUntil   string `json:"valid_until"`
}

func (h handler) createListing(w http.ResponseWriter, r *http.Request) error {
	var in createListingRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	l, err := h.svc.CreateListing(r.Context(), artery.ListingInput{Kind: in.Kind, Category: in.Category, ChainID: in.ChainID, SegmentID: in.SegmentID,
		Title: in.Title, Body: in.Text, EnterpriseID: in.EnterpriseID, InstituteID: in.InstituteID, ValidFrom: in.ValidFrom, ValidUntil: in.ValidUntil})
	if err != nil {
		return err
	}
	return kit.Created(w, "/api/v1/listings/"+l.ID, l.Version, l)
}

type updateListingRequest struct {
	Category   *string                `json:"category"`
	ChainID    httpx.Optional[string] `json:"chain_id"`
	SegmentID  httpx.Optional[string] `json:"segment_id"`
	Title      *string                `json:"title"`
	Text       *string                `json:"text"`
	ValidFrom  httpx.Optional[string] `json:"valid_from"`
	ValidUntil httpx.Optional[string] `json:"valid_until"`
	Status     *string                `json:"status"`
}

// cleared turns an Optional into the service's convention: nil absent,
// "" cleared (null), else the value.
func cleared(o httpx.Optional[string]) *string {
	if !o.Set {
		return nil
	}
	if o.Value == nil {
		s := ""
		return &s
	}
	return o.Value
}

func (h handler) updateListing(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	var in updateListingRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	l, err := h.svc.UpdateListing(r.Context(), r.PathValue("id"), artery.ListingPatch{Category: in.Category, ChainID: cleared(in.ChainID),
		SegmentID: cleared(in.SegmentID), Title: in.Title, Body: in.Text, ValidFrom: cleared(in.ValidFrom), ValidUntil: cleared(in.ValidUntil),
		Status: in.Status}, match)
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, l.Version, l)
}

func (h handler) deleteListing(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteListing(r.Context(), r.PathValue("id"), match); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

func (h handler) proposals(w http.ResponseWriter, r *http.Request) error {
	limit := 10
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > artery.MaxProposals {
			return apperr.BadField("limit", "out_of_range", "Min", 1, "Max", artery.MaxProposals)
		}
		limit = n
	}
	ps, err := h.svc.Propose(r.Context(), r.PathValue("id"), limit)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, page.List[artery.Proposal]{Items: ps, Total: len(ps)})
	return nil
}

// --- matches ---

func (h handler) listMatches(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	l, err := h.svc.ListMatches(r.Context(), artery.MatchFilter{Status: q.Get("status"), ListingID: q.Get("listing_id"),
		EnterpriseID: q.Get("enterprise_id")}, p)
	return kit.List(w, l, err)
}

func (h handler) getMatch(w http.ResponseWriter, r *http.Request) error {
	m, err := h.svc.GetMatch(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, m.Version, m)
}

type createMatchRequest struct {
	NeedID  string `json:"need_id"`
	OfferID string `json:"offer_id"`
	Note    string `json:"note"`
}

func (h handler) createMatch(w http.ResponseWriter, r *http.Request) error {
	var in createMatchRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	m, err := h.svc.CreateMatch(r.Context(), in.NeedID, in.OfferID, in.Note)
	if err != nil {
		return err
	}
	return kit.Created(w, "/api/v1/matches/"+m.ID, m.Version, m)
}

type actionRequest struct {
	Action string `json:"action"`
	Note   string `json:"note"`
}

func (h handler) actOnMatch(w http.ResponseWriter, r *http.Request) error {
	var in actionRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	m, err := h.svc.Act(r.Context(), r.PathValue("id"), in.Action, in.Note)
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, m.Version, m)
}

// --- cooperations ---

func (h handler) listCooperations(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	l, err := h.svc.ListCooperations(r.Context(), artery.CooperationFilter{Type: q.Get("type"), Status: q.Get("status"), ChainID: q.Get("chain_id"),
		EnterpriseID: q.Get("enterprise_id"), InstituteID: q.Get("institute_id")}, p)
	return kit.List(w, l, err)
}

func (h handler) getCooperation(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.GetCooperation(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, c.Version, c)
}

type milestoneRequest struct {
	ID     string  `json:"id"`
	Title  string  `json:"title"`
	DueOn  *string `json:"due_on"`
	DoneOn *string `json:"done_on"`
}

type outcomeRequest struct {
	ID         string  `json:"id"`
	Title      string  `json:"title"`
	RecordedOn *string `json:"recorded_on"`
}

func milestones(in []milestoneRequest) []artery.Milestone {
	out := make([]artery.Milestone, len(in))
	for i, m := range in {
		out[i] = artery.Milestone{ID: m.ID, Title: m.Title, DueOn: m.DueOn, DoneOn: m.DoneOn}
	}
	return out
}

func outcomes(in []outcomeRequest) []artery.Outcome {
	out := make([]artery.Outcome, len(in))
	for i, o := range in {
		out[i] = artery.Outcome{ID: o.ID, Title: o.Title, RecordedOn: o.RecordedOn}
	}
	return out
}

type createCooperationRequest struct {
	ZoneID        string             `json:"zone_id"`
	Type          string             `json:"type"`
	Title         string             `json:"title"`
	Description   string             `json:"description"`
	ChainID       string             `json:"chain_id"`
	OrganizerID   string             `json:"organizer_id"`
	StartedOn     string             `json:"started_on"`
	EndedOn       string             `json:"ended_on"`
	EnterpriseIDs []string           `json:"enterprise_ids"`
	InstituteIDs  []string           `json:"institute_ids"`
	Milestones    []milestoneRequest `json:"milestones"`
	Outcomes      []outcomeRequest   `json:"outcomes"`
}

func (h handler) createCooperation(w http.ResponseWriter, r *http.Request) error {
	var in createCooperationRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	c, err := h.svc.CreateCooperation(r.Context(), artery.CooperationInput{ZoneID: in.ZoneID, Type: in.Type, Title: in.Title, Description: in.Description,
		ChainID: in.ChainID, OrganizerID: in.OrganizerID, StartedOn: in.StartedOn, EndedOn: in.EndedOn, EnterpriseIDs: in.EnterpriseIDs,
		InstituteIDs: in.InstituteIDs, Milestones: milestones(in.Milestones), Outcomes: outcomes(in.Outcomes)})
	if err != nil {
		return err
	}
	return kit.Created(w, "/api/v1/cooperations/"+c.ID, c.Version, c)
}

type updateCooperationRequest struct {
	Title       *string             `json:"title"`
	Description *string             `json:"description"`
	Milestones  *[]milestoneRequest `json:"milestones"`
	Outcomes    *[]outcomeRequest   `json:"outcomes"`
}

func (h handler) updateCooperation(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	var in updateCooperationRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	patch := artery.CooperationPatch{Title: in.Title, Description: in.Description}
	if in.Milestones != nil {
		m := milestones(*in.Milestones)
		patch.Milestones = &m
	}
	if in.Outcomes != nil {
		o := outcomes(*in.Outcomes)
		patch.Outcomes = &o
	}
	c, err := h.svc.UpdateCooperation(r.Context(), r.PathValue("id"), patch, match)
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, c.Version, c)
}

type coopActionRequest struct {
	Action string `json:"action"`
}

func (h handler) actOnCooperation(w http.ResponseWriter, r *http.Request) error {
	var in coopActionRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	c, err := h.svc.ActOnCooperation(r.Context(), r.PathValue("id"), in.Action)
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, c.Version, c)
}
