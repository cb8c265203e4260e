// Package mediationapi serves labour-dispute mediation over HTTP: cases,
// their workflow, parties, conflict checks, hearings and invitations,
// notes, the agreement with signatures and payments, rooms, figures, and a
// worker's own cases.
//
// Confidentiality is the service's decision, not a grant's: a case is seen
// by its parties' accounts, its mediator and the legal-service staff of
// its park, so the case routes need a signed-in caller (kit.Self) and the
// service answers 404 to anyone else.
package mediationapi

import (
	"bytes"
	"context"
	_ "embed"
	"html/template"
	"net/http"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/httpx"
	"tongxin/internal/kit"
	"tongxin/internal/mediation"
)

//go:embed openapi.yaml
var fragment []byte

const base = "/api/v1/mediation-cases"

// Domain returns mediation for the server to mount.
func Domain(svc *mediation.Service) kit.Domain {
	h := handler{svc}
	// Rooms are the legal-service staff's alone: reading them needs mediation.manage too.
	room := kit.Resource{Name: "mediation_room", Reads: mediation.Manage, Writes: mediation.Manage}
	return kit.Domain{
		Name: "mediation",
		Routes: []kit.Route{
			{Method: "GET", Path: base, Access: kit.Self, Handle: h.list},
			{Method: "POST", Path: base, Access: kit.Self, Create: true, Handle: h.open},
			{Method: "POST", Path: base + "/conflict-check", Access: kit.Self, Handle: h.preview},
			{Method: "GET", Path: base + "/{id}", Access: kit.Self, Handle: h.get},
			{Method: "POST", Path: base + "/{id}/actions", Access: kit.Self, Handle: h.act},
			{Method: "POST", Path: base + "/{id}/parties", Access: kit.Self, Handle: h.addParty},
			{Method: "POST", Path: base + "/{id}/conflict-checks", Access: kit.Self, Handle: h.check},
			{Method: "POST", Path: base + "/{id}/conflict-checks/{check_id}/override", Access: kit.Self, Handle: h.override},
			{Method: "POST", Path: base + "/{id}/conflict-checks/{check_id}/approve", Access: kit.Self, Handle: h.approve},
			{Method: "POST", Path: base + "/{id}/assignment", Access: kit.Self, Handle: h.assign},
			{Method: "POST", Path: base + "/{id}/hearings", Access: kit.Self, Handle: h.schedule},
			{Method: "POST", Path: base + "/{id}/notes", Access: kit.Self, Handle: h.note},
			{Method: "POST", Path: base + "/{id}/agreement", Access: kit.Self, Handle: h.agreement},
			{Method: "GET", Path: base + "/{id}/agreement/document", Access: kit.Self, Handle: h.document},
			{Method: "POST", Path: base + "/{id}/signatures", Access: kit.Self, Handle: h.sign},
			{Method: "POST", Path: base + "/{id}/payments", Access: kit.Self, Handle: h.pay},
			{Method: "GET", Path: "/api/v1/mediation-hearings", Access: kit.Self, Handle: h.calendar},
			{Method: "GET", Path: "/api/v1/mediation-hearings/{id}/invitation", Access: kit.Self, Handle: h.invitation},
			{Method: "GET", Path: "/api/v1/mediation-mediators", Access: kit.Self, Handle: h.mediators},
			// Figures, not rows: scoped by the service to mediation.figures.
			{Method: "GET", Path: "/api/v1/mediation-figures", Access: kit.Self, Handle: h.figures},
			room.Read("GET", "/api/v1/mediation-rooms", h.rooms),
			room.Create("/api/v1/mediation-rooms", h.createRoom),
			{Method: "GET", Path: "/api/v1/my/mediation-cases", Access: kit.Self, Handle: h.mine},
			{Method: "POST", Path: "/api/v1/my/mediation-cases", Access: kit.Self, Create: true, Handle: h.fileMine},
			{Method: "GET", Path: "/api/v1/my/mediation-reminders", Access: kit.Self, Handle: h.reminders},
		},
		OpenAPI: fragment,
		Locales: mediation.Locales(),
		Tables: []string{"mediation_rooms", "mediation_cases", "mediation_parties", "mediation_events", "mediation_conflict_checks", "mediation_hearings",
			"mediation_hearing_parties", "mediation_bookings", "mediation_booking_locks", "mediation_reminders", "mediation_notes", "mediation_agreements",
			"mediation_signatures", "mediation_payments"},
		Fixtures: []kit.Fixture{roomFixture},
	}
}

type handler struct{ svc *mediation.Service }

func ok(w http.ResponseWriter, status int, c mediation.Case) {
	httpx.ETag(w, c.Version)
	httpx.JSON(w, status, c)
}

func (h handler) list(w http.ResponseWriter, r *http.Request) error {
	return h.listing(w, r, false)
}

func (h handler) mine(w http.ResponseWriter, r *http.Request) error {
	return h.listing(w, r, true)
}

func (h handler) listing(w http.ResponseWriter, r *http.Request, mine bool) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	l, err := h.svc.ListCases(r.Context(), mediation.CaseFilter{Status: q.Get("status"), Type: q.Get("type"), ParkID: q.Get("park_id"), Mine: mine}, p)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, l)
	return nil
}

type agent struct {
	Side     string `json:"side"`
	Name     string `json:"name"`
	PersonID string `json:"person_id"`
}

type openRequest struct {
	Type               string     `json:"type"`
	Summary            string     `json:"summary"`
	ClaimFen           int64      `json:"claim_fen"`
	ApplicantID        string     `json:"applicant_id"`
	RespondentID       string     `json:"respondent_id"`
	RespondentPersonID string     `json:"respondent_person_id"`
	Agents             []agent    `json:"agents"`
	MediatorID         string     `json:"mediator_id"`
	MediatorRole       string     `json:"mediator_role"`
	AppliedAt          *time.Time `json:"applied_at"`
}

func (in openRequest) input() mediation.CaseInput {
	out := mediation.CaseInput{Type: in.Type, Summary: in.Summary, ClaimFen: in.ClaimFen, ApplicantID: in.ApplicantID, RespondentID: in.RespondentID,
		RespondentPersonID: in.RespondentPersonID, MediatorID: in.MediatorID, MediatorRole: in.MediatorRole, AppliedAt: in.AppliedAt}
	for _, a := range in.Agents {
		out.Agents = append(out.Agents, mediation.AgentInput{Side: a.Side, Name: a.Name, PersonID: a.PersonID})
	}
	return out
}

func (h handler) open(w http.ResponseWriter, r *http.Request) error {
	var in openRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	c, err := h.svc.OpenCase(r.Context(), in.input())
	if err != nil {
		return err
	}
	w.Header().Set("Location", base+"/"+c.ID)
	ok(w, http.StatusCreated, c)
	return nil
}

type fileRequest struct {
	Type         string `json:"type"`
	Summary      string `json:"summary"`
	ClaimFen     int64  `json:"claim_fen"`
	RespondentID string `json:"respondent_id"`
}

func (h handler) fileMine(w http.ResponseWriter, r *http.Request) error {
	var in fileRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	c, err := h.svc.FileMine(r.Context(), mediation.CaseInput{Type: in.Type, Summary: in.Summary, ClaimFen: in.ClaimFen, RespondentID: in.RespondentID})
	if err != nil {
		return err
	}
	w.Header().Set("Location", base+"/"+c.ID)
	ok(w, http.StatusCreated, c)
	return nil
}

type previewRequest struct {
	RespondentID       string   `json:"respondent_id"`
	ApplicantID        string   `json:"applicant_id"`
	RespondentPersonID string   `json:"respondent_person_id"`
	AgentPersonIDs     []string `json:"agent_person_ids"`
	MediatorID         string   `json:"mediator_id"`
}

func (h handler) preview(w http.ResponseWriter, r *http.Request) error {
	var in previewRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	found, err := h.svc.Preview(r.Context(), mediation.PreviewInput{RespondentID: in.RespondentID, ApplicantID: in.ApplicantID,
		RespondentPersonID: in.RespondentPersonID, AgentPersonIDs: in.AgentPersonIDs, MediatorID: in.MediatorID})
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"clear": len(found) == 0, "conflicts": found})
	return nil
}

func (h handler) get(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.GetCase(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	ok(w, http.StatusOK, c)
	return nil
}

type actRequest struct {
	Action string `json:"action"`
	Note   string `json:"note"`
}

func (h handler) act(w http.ResponseWriter, r *http.Request) error {
	var in actRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	c, err := h.svc.Act(r.Context(), r.PathValue("id"), mediation.ActionInput{Action: in.Action, Note: in.Note})
	if err != nil {
		return err
	}
	ok(w, http.StatusOK, c)
	return nil
}

func (h handler) addParty(w http.ResponseWriter, r *http.Request) error {
	var in agent
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	c, err := h.svc.AddParty(r.Context(), r.PathValue("id"), mediation.AgentInput{Side: in.Side, Name: in.Name, PersonID: in.PersonID})
	if err != nil {
		return err
	}
	ok(w, http.StatusCreated, c)
	return nil
}

type checkRequest struct {
	MediatorID string `json:"mediator_id"`
}

func (h handler) check(w http.ResponseWriter, r *http.Request) error {
	var in checkRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	ch, err := h.svc.CheckMediator(r.Context(), r.PathValue("id"), in.MediatorID)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusCreated, ch)
	return nil
}

type overrideRequest struct {
	Reason string `json:"reason"`
}

func (h handler) override(w http.ResponseWriter, r *http.Request) error {
	var in overrideRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	ch, err := h.svc.RequestOverride(r.Context(), r.PathValue("id"), r.PathValue("check_id"), in.Reason)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, ch)
	return nil
}

func (h handler) approve(w http.ResponseWriter, r *http.Request) error {
	if r.ContentLength != 0 {
		var in struct{}
		if err := httpx.Decode(w, r, &in); err != nil {
			return err
		}
	}
	ch, err := h.svc.ApproveOverride(r.Context(), r.PathValue("id"), r.PathValue("check_id"))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, ch)
	return nil
}

type assignRequest struct {
	MediatorID string `json:"mediator_id"`
	Role       string `json:"role"`
}

func (h handler) assign(w http.ResponseWriter, r *http.Request) error {
	var in assignRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	c, err := h.svc.Assign(r.Context(), r.PathValue("id"), in.MediatorID, in.Role)
	if err != nil {
		return err
	}
	ok(w, http.StatusOK, c)
	return nil
}

type hearingRequest struct {
	StartsAt *time.Time `json:"starts_at"`
	EndsAt   *time.Time `json:"ends_at"`
	RoomID   string     `json:"room_id"`
	PartyIDs []string   `json:"party_ids"`
	Title    string     `json:"title"`
}

func (h handler) schedule(w http.ResponseWriter, r *http.Request) error {
	var in hearingRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	hr, err := h.svc.ScheduleHearing(r.Context(), r.PathValue("id"), mediation.HearingInput{StartsAt: in.StartsAt, EndsAt: in.EndsAt, RoomID: in.RoomID,
		PartyIDs: in.PartyIDs, Title: in.Title})
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusCreated, hr)
	return nil
}

type noteRequest struct {
	Visibility string `json:"visibility"`
	Text       string `json:"text"`
}

func (h handler) note(w http.ResponseWriter, r *http.Request) error {
	var in noteRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	n, err := h.svc.AddNote(r.Context(), r.PathValue("id"), in.Visibility, in.Text)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusCreated, n)
	return nil
}

type agreementRequest struct {
	Terms     string `json:"terms"`
	AmountFen int64  `json:"amount_fen"`
	PayBy     string `json:"pay_by"`
	AgreedOn  string `json:"agreed_on"`
}

func (h handler) agreement(w http.ResponseWriter, r *http.Request) error {
	var in agreementRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	c, err := h.svc.SaveAgreement(r.Context(), r.PathValue("id"), mediation.AgreementInput{Terms: in.Terms, AmountFen: in.AmountFen, PayBy: in.PayBy, AgreedOn: in.AgreedOn})
	if err != nil {
		return err
	}
	ok(w, http.StatusOK, c)
	return nil
}

//go:embed agreement.html
var agreementHTML string

var agreementPage = template.Must(template.New("agreement").Parse(agreementHTML))

func (h handler) document(w http.ResponseWriter, r *http.Request) error {
	d, err := h.svc.AgreementDocument(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := agreementPage.Execute(&b, d); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(b.Bytes())
	return nil
}

type signRequest struct {
	PartyID string `json:"party_id"`
}

func (h handler) sign(w http.ResponseWriter, r *http.Request) error {
	var in signRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	c, err := h.svc.Sign(r.Context(), r.PathValue("id"), in.PartyID)
	if err != nil {
		return err
	}
	ok(w, http.StatusOK, c)
	return nil
}

type paymentRequest struct {
	AmountFen int64  `json:"amount_fen"`
	PaidOn    string `json:"paid_on"`
	Note      string `json:"note"`
}

func (h handler) pay(w http.ResponseWriter, r *http.Request) error {
	var in paymentRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	c, err := h.svc.RecordPayment(r.Context(), r.PathValue("id"), mediation.PaymentInput{AmountFen: in.AmountFen, PaidOn: in.PaidOn, Note: in.Note})
	if err != nil {
		return err
	}
	ok(w, http.StatusCreated, c)
	return nil
}

func (h handler) calendar(w http.ResponseWriter, r *http.Request) error {
	from, err := httpx.QueryDate(r, "from", false)
	if err != nil {
		return err
	}
	to, err := httpx.QueryDate(r, "to", true)
	if err != nil {
		return err
	}
	now := time.Now()
	if from.IsZero() {
		from = now.AddDate(0, 0, -7)
	}
	if to.IsZero() {
		to = from.AddDate(0, 0, 31)
	}
	hs, err := h.svc.Calendar(r.Context(), from, to)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"items": hs})
	return nil
}

func (h handler) invitation(w http.ResponseWriter, r *http.Request) error {
	body, err := h.svc.Invitation(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="hearing.ics"`)
	w.Write([]byte(body))
	return nil
}

func (h handler) mediators(w http.ResponseWriter, r *http.Request) error {
	ms, err := h.svc.Mediators(r.Context(), r.URL.Query().Get("park_id"))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"items": ms})
	return nil
}

func (h handler) figures(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f, err := h.svc.Report(r.Context(), q.Get("park_id"), q.Get("type"))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, f)
	return nil
}

func (h handler) rooms(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	l, err := h.svc.ListRooms(r.Context(), r.URL.Query().Get("park_id"), p)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, l)
	return nil
}

type roomRequest struct {
	ParkID string `json:"park_id"`
	Name   string `json:"name"`
}

func (h handler) createRoom(w http.ResponseWriter, r *http.Request) error {
	var in roomRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	room, err := h.svc.CreateRoom(r.Context(), in.ParkID, in.Name)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusCreated, room)
	return nil
}

func (h handler) reminders(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	l, err := h.svc.MyReminders(r.Context(), p)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, l)
	return nil
}

// roomFixture makes rooms in a park: the matrix covers the one resource
// whose access is a grant (the legal-service staff of the park).
var roomFixture = kit.Fixture{
	Resource: "mediation_room",
	Under:    []string{access.KindPark},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		var room struct {
			ID string `json:"id"`
		}
		err := c.Call(ctx, "POST", "/api/v1/mediation-rooms", map[string]any{"park_id": under.ID, "name": kit.Unique("调解室 ")}, &room)
		return map[string]string{"id": room.ID}, err
	},
	Body: func(route string, under kit.Node) any {
		return map[string]any{"park_id": under.ID, "name": kit.Unique("调解室 ")}
	},
}
