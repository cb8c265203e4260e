// Package careapi serves talent (mentoring pairs, project teams, R&D
// figures), the mutual-aid fund and childcare classes over HTTP, for the
// console and for workers on their phones.
package careapi

import (
	_ "embed"
	"net/http"

	"tongxin/internal/apperr"
	"tongxin/internal/care"
	"tongxin/internal/httpx"
	"tongxin/internal/kit"
)

//go:embed openapi.yaml
var fragment []byte

// Domain returns the care domain for the server to mount.
func Domain(svc *care.Service) kit.Domain {
	h := handler{svc}
	pair := kit.Resource{Name: "mentorship", Reads: care.Read, Writes: care.Manage}
	team := kit.Resource{Name: "project_team", Reads: care.Read, Writes: care.Manage}
	profile := kit.Resource{Name: "rd_profile", Reads: care.Read, Writes: care.Manage}
	fund := kit.Resource{Name: "aid_fund", Reads: care.AidRead, Writes: care.AidManage}
	application := kit.Resource{Name: "aid_application", Reads: care.AidRead, Writes: care.AidManage}
	class := kit.Resource{Name: "childcare_class", Reads: care.Read, Writes: care.Manage}
	return kit.Domain{
		Name: "care",
		Routes: []kit.Route{
			pair.Read("GET", "/api/v1/mentorships", h.listPairs),
			pair.Create("/api/v1/mentorships", h.createPair),
			pair.Read("GET", "/api/v1/mentorships/{id}", h.getPair),
			pair.Write("PATCH", "/api/v1/mentorships/{id}", h.updatePair),
			pair.Write("DELETE", "/api/v1/mentorships/{id}", h.deletePair),
			pair.Create("/api/v1/mentorships/{id}/reviews", h.review),
			team.Read("GET", "/api/v1/project-teams", h.listTeams),
			team.Create("/api/v1/project-teams", h.createTeam),
			team.Read("GET", "/api/v1/project-teams/{id}", h.getTeam),
			team.Write("PATCH", "/api/v1/project-teams/{id}", h.updateTeam),
			team.Write("DELETE", "/api/v1/project-teams/{id}", h.deleteTeam),
			profile.Read("GET", "/api/v1/rd-profiles", h.listProfiles),
			profile.Read("GET", "/api/v1/rd-profiles/{id}", h.getProfile),
			profile.Write("PATCH", "/api/v1/rd-profiles/{id}", h.updateProfile),

			fund.Read("GET", "/api/v1/aid-funds", h.listFunds),
			fund.Create("/api/v1/aid-funds", h.createFund),
			fund.Read("GET", "/api/v1/aid-funds/{id}", h.getFund),
			fund.Write("PATCH", "/api/v1/aid-funds/{id}", h.updateFund),
			fund.Create("/api/v1/aid-funds/{id}/contributions", h.contribute),
			fund.Read("GET", "/api/v1/aid-funds/{id}/statement", h.statement),
			fund.Read("GET", "/api/v1/aid-funds/{id}/statement/export", h.statementExport),
			application.Read("GET", "/api/v1/aid-applications", h.listApplications),
			application.Create("/api/v1/aid-applications", h.apply),
			application.Read("GET", "/api/v1/aid-applications/{id}", h.getApplication),
			application.Write("POST", "/api/v1/aid-applications/{id}/actions", h.actOnApplication),
			{Method: "GET", Path: "/api/v1/me/aid-funds", Access: kit.Self, Handle: h.myFunds},
			{Method: "GET", Path: "/api/v1/me/aid-applications", Access: kit.Self, Handle: h.myApplications},
			{Method: "GET", Path: "/api/v1/me/aid-statement", Access: kit.Self, Handle: h.myStatement},
			{Method: "POST", Path: "/api/v1/me/aid-applications", Access: kit.Self, Create: true, Handle: h.applyAsSelf},

			class.Read("GET", "/api/v1/childcare-classes", h.listClasses),
			class.Create("/api/v1/childcare-classes", h.createClass),
			class.Read("GET", "/api/v1/childcare-classes/{id}", h.getClass),
			class.Write("PATCH", "/api/v1/childcare-classes/{id}", h.updateClass),
			class.Write("POST", "/api/v1/childcare-classes/{id}/actions", h.actOnClass),
			class.Needs(care.Manage, "GET", "/api/v1/childcare-classes/{id}/enrolments", h.listEnrolments), // the roster names workers' children
			class.Create("/api/v1/childcare-classes/{id}/enrolments", h.enrol),
			class.Write("DELETE", "/api/v1/childcare-classes/{id}/enrolments/{enrolment_id}", h.withdraw),
			class.Write("POST", "/api/v1/childcare-classes/{id}/attendance", h.attendance),
			{Method: "GET", Path: "/api/v1/me/childcare-classes", Access: kit.Self, Handle: h.myClasses},
			{Method: "POST", Path: "/api/v1/me/childcare-classes/{id}/enrolments", Access: kit.Self, Create: true, Handle: h.enrolAsSelf},
			{Method: "DELETE", Path: "/api/v1/me/childcare-classes/{id}/enrolments/{enrolment_id}", Access: kit.Self, Handle: h.withdrawAsSelf},
		},
		OpenAPI: fragment,
		Locales: care.Locales(),
		Tables: []string{"mentorships", "mentorship_reviews", "project_teams", "team_members", "team_milestones", "team_results", "rd_profiles",
			"aid_funds", "aid_applications", "aid_entries", "aid_postings", "childcare_classes", "childcare_sessions", "childcare_enrolments",
			"childcare_attendance"},
		Fixtures: []kit.Fixture{mentorshipFixture, teamFixture, profileFixture, fundFixture, applicationFixture, classFixture},
	}
}

type handler struct{ svc *care.Service }

// --- mentoring pairs ---

func (h handler) listPairs(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	l, err := h.svc.ListMentorships(r.Context(), care.MentorshipFilter{EnterpriseID: q.Get("enterprise_id"), Status: q.Get("status"),
		PersonID: q.Get("person_id")}, p)
	return kit.List(w, l, err)
}

func (h handler) getPair(w http.ResponseWriter, r *http.Request) error {
	m, err := h.svc.GetMentorship(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, m.Version, m)
}

type createPairRequest struct {
	EnterpriseID string `json:"enterprise_id"`
	OrgID        string `json:"org_id"`
	MentorID     string `json:"mentor_id"`
	MenteeID     string `json:"mentee_id"`
	Goals        string `json:"goals"`
	StartedOn    string `json:"started_on"`
}

func (h handler) createPair(w http.ResponseWriter, r *http.Request) error {
	var in createPairRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	m, err := h.svc.CreateMentorship(r.Context(), care.MentorshipInput{EnterpriseID: in.EnterpriseID, OrgID: in.OrgID, MentorID: in.MentorID,
		MenteeID: in.MenteeID, Goals: in.Goals, StartedOn: in.StartedOn})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/mentorships/"+m.ID)
	return kit.One(w, http.StatusCreated, m.Version, m)
}

type updatePairRequest struct {
	Goals  *string `json:"goals"`
	Status *string `json:"status"`
}

func (h handler) updatePair(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	var in updatePairRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	m, err := h.svc.UpdateMentorship(r.Context(), r.PathValue("id"), care.MentorshipPatch{Goals: in.Goals, Status: in.Status}, match.Check)
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, m.Version, m)
}

func (h handler) deletePair(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteMentorship(r.Context(), r.PathValue("id"), match.Check); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

type reviewRequest struct {
	ReviewedOn string `json:"reviewed_on"`
	Rating     int    `json:"rating"`
	Note       string `json:"note"`
}

func (h handler) review(w http.ResponseWriter, r *http.Request) error {
	var in reviewRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	m, err := h.svc.AddReview(r.Context(), r.PathValue("id"), care.ReviewInput{ReviewedOn: in.ReviewedOn, Rating: in.Rating, Note: in.Note})
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusCreated, m.Version, m)
}

// --- project teams ---

type memberRequest struct {
	PersonID string `json:"person_id"`
	Role     string `json:"role"`
}

type milestoneRequest struct {
	Title  string  `json:"title"`
	DueOn  *string `json:"due_on"`
	DoneOn *string `json:"done_on"`
}

type resultRequest struct {
	Title      string  `json:"title"`
	RecordedOn *string `json:"recorded_on"`
}

func members(in []memberRequest) []care.Member {
	out := make([]care.Member, len(in))
	for i, m := range in {
		out[i] = care.Member{PersonID: m.PersonID, Role: m.Role}
		if out[i].Role == "" {
			out[i].Role = "member"
		}
	}
	return out
}

func milestones(in []milestoneRequest) []care.Milestone {
	out := make([]care.Milestone, len(in))
	for i, m := range in {
		out[i] = care.Milestone{Title: m.Title, DueOn: m.DueOn, DoneOn: m.DoneOn}
	}
	return out
}

func results(in []resultRequest) []care.Result {
	out := make([]care.Result, len(in))
	for i, r := range in {
		out[i] = care.Result{Title: r.Title, RecordedOn: r.RecordedOn}
	}
	return out
}

func (h handler) listTeams(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	l, err := h.svc.ListTeams(r.Context(), care.TeamFilter{EnterpriseID: q.Get("enterprise_id"), Kind: q.Get("kind"), Status: q.Get("status")}, p)
	return kit.List(w, l, err)
}

func (h handler) getTeam(w http.ResponseWriter, r *http.Request) error {
	t, err := h.svc.GetTeam(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, t.Version, t)
}

type createTeamRequest struct {
	EnterpriseID string             `json:"enterprise_id"`
	OrgID        string             `json:"org_id"`
	Kind         string             `json:"kind"`
	Name         string             `json:"name"`
	Goals        string             `json:"goals"`
	Members      []memberRequest    `json:"members"`
	Milestones   []milestoneRequest `json:"milestones"`
	Results      []resultRequest    `json:"results"`
}

func (h handler) createTeam(w http.ResponseWriter, r *http.Request) error {
	var in createTeamRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	t, err := h.svc.CreateTeam(r.Context(), care.TeamInput{EnterpriseID: in.EnterpriseID, OrgID: in.OrgID, Kind: in.Kind, Name: in.Name, Goals: in.Goals,
		Members: members(in.Members), Milestones: milestones(in.Milestones), Results: results(in.Results)})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/project-teams/"+t.ID)
	return kit.One(w, http.StatusCreated, t.Version, t)
}

type updateTeamRequest struct {
	Name       *string             `json:"name"`
	Goals      *string             `json:"goals"`
	Status     *string             `json:"status"`
	Members    *[]memberRequest    `json:"members"`
	Milestones *[]milestoneRequest `json:"milestones"`
	Results    *[]resultRequest    `json:"results"`
}

func (h handler) updateTeam(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	var in updateTeamRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	patch := care.TeamPatch{Name: in.Name, Goals: in.Goals, Status: in.Status}
	if in.Members != nil {
		m := members(*in.Members)
		patch.Members = &m
	}
	if in.Milestones != nil {
		m := milestones(*in.Milestones)
		patch.Milestones = &m
	}
	if in.Results != nil {
		rs := results(*in.Results)
		patch.Results = &rs
	}
	t, err := h.svc.UpdateTeam(r.Context(), r.PathValue("id"), patch, match.Check)
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, t.Version, t)
}

func (h handler) deleteTeam(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteTeam(r.Context(), r.PathValue("id"), match.Check); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

// --- R&D figures ---

func (h handler) listProfiles(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	postdoc := false
	switch r.URL.Query().Get("postdoc") {
	case "", "false":
	case "true":
		postdoc = true
	default:
		return apperr.BadField("postdoc", "invalid_format")
	}
	l, err := h.svc.ListProfiles(r.Context(), postdoc, p)
	return kit.List(w, l, err)
}

func (h handler) getProfile(w http.ResponseWriter, r *http.Request) error {
	p, err := h.svc.GetProfile(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, p.Version, p)
}

type updateProfileRequest struct {
	RDStaff           *int    `json:"rd_staff"`
	ResearchProjects  *int    `json:"research_projects"`
	PostdocStation    *bool   `json:"postdoc_station"`
	PostdocApprovedOn *string `json:"postdoc_approved_on"`
	Note              *string `json:"note"`
}

func (h handler) updateProfile(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	var in updateProfileRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	p, err := h.svc.UpdateProfile(r.Context(), r.PathValue("id"), care.ProfilePatch{RDStaff: in.RDStaff, ResearchProjects: in.ResearchProjects,
		PostdocStation: in.PostdocStation, PostdocApprovedOn: in.PostdocApprovedOn, Note: in.Note}, match.Check)
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, p.Version, p)
}

// --- mutual aid ---

func (h handler) listFunds(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	l, err := h.svc.ListFunds(r.Context(), r.URL.Query().Get("enterprise_id"), p)
	return kit.List(w, l, err)
}

func (h handler) getFund(w http.ResponseWriter, r *http.Request) error {
	f, err := h.svc.GetFund(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, f.Version, f)
}

type createFundRequest struct {
	EnterpriseID string `json:"enterprise_id"`
	OrgID        string `json:"org_id"`
	Name         string `json:"name"`
	Description  string `json:"description"`
}

func (h handler) createFund(w http.ResponseWriter, r *http.Request) error {
	var in createFundRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	f, err := h.svc.CreateFund(r.Context(), care.FundInput{EnterpriseID: in.EnterpriseID, OrgID: in.OrgID, Name: in.Name, Description: in.Description})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/aid-funds/"+f.ID)
	return kit.One(w, http.StatusCreated, f.Version, f)
}

type updateFundRequest struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
}

func (h handler) updateFund(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	var in updateFundRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	f, err := h.svc.UpdateFund(r.Context(), r.PathValue("id"), care.FundPatch{Name: in.Name, Description: in.Description}, match.Check)
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, f.Version, f)
}

type contributionRequest struct {
	PersonID  string `json:"person_id"`
	AmountFen int64  `json:"amount_fen"`
	BookedOn  string `json:"booked_on"`
	Memo      string `json:"memo"`
}

func (h handler) contribute(w http.ResponseWriter, r *http.Request) error {
	var in contributionRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	e, err := h.svc.Contribute(r.Context(), r.PathValue("id"), care.ContributionInput{PersonID: in.PersonID, AmountFen: in.AmountFen,
		BookedOn: in.BookedOn, Memo: in.Memo})
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusCreated, e)
	return nil
}

func statementFilter(r *http.Request) care.StatementFilter {
	q := r.URL.Query()
	return care.StatementFilter{From: q.Get("from"), To: q.Get("to"), PersonID: q.Get("person_id")}
}

func (h handler) statement(w http.ResponseWriter, r *http.Request) error {
	st, err := h.svc.FundStatement(r.Context(), r.PathValue("id"), statementFilter(r))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, st)
	return nil
}

func (h handler) statementExport(w http.ResponseWriter, r *http.Request) error {
	st, err := h.svc.FundStatement(r.Context(), r.PathValue("id"), statementFilter(r))
	if err != nil {
		return err
	}
	lang := httpx.Lang(r).Lang()
	return httpx.Export(w, r, httpx.FileName(r, "互助基金台账-"+st.Fund.Name, "mutual-aid-statement-"+st.Fund.Name, true), care.StatementColumns(),
		func(write func([]string) error) error {
			for _, rec := range care.StatementRecords(st, lang) {
				if err := write(rec); err != nil {
					return err
				}
			}
			return nil
		})
}

func (h handler) listApplications(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	l, err := h.svc.ListApplications(r.Context(), care.ApplicationFilter{FundID: q.Get("fund_id"), Status: q.Get("status"), PersonID: q.Get("person_id")}, p)
	return kit.List(w, l, err)
}

func (h handler) getApplication(w http.ResponseWriter, r *http.Request) error {
	x, err := h.svc.GetApplication(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, x.Version, x)
}

type applicationRequest struct {
	FundID     string `json:"fund_id"`
	PersonID   string `json:"person_id"`
	AmountFen  int64  `json:"amount_fen"`
	Reason     string `json:"reason"`
	IncidentOn string `json:"incident_on"`
}

func (h handler) apply(w http.ResponseWriter, r *http.Request) error {
	var in applicationRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	x, err := h.svc.Apply(r.Context(), care.ApplicationInput{FundID: in.FundID, PersonID: in.PersonID, AmountFen: in.AmountFen, Reason: in.Reason,
		IncidentOn: in.IncidentOn})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/aid-applications/"+x.ID)
	return kit.One(w, http.StatusCreated, x.Version, x)
}

type selfApplicationRequest struct {
	FundID     string `json:"fund_id"`
	AmountFen  int64  `json:"amount_fen"`
	Reason     string `json:"reason"`
	IncidentOn string `json:"incident_on"`
}

func (h handler) applyAsSelf(w http.ResponseWriter, r *http.Request) error {
	var in selfApplicationRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	x, err := h.svc.ApplyAsSelf(r.Context(), care.ApplicationInput{FundID: in.FundID, AmountFen: in.AmountFen, Reason: in.Reason, IncidentOn: in.IncidentOn})
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusCreated, x.Version, x)
}

type actionRequest struct {
	Action string `json:"action"`
	Note   string `json:"note"`
}

func (h handler) actOnApplication(w http.ResponseWriter, r *http.Request) error {
	var in actionRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	x, err := h.svc.ActOnApplication(r.Context(), r.PathValue("id"), in.Action, in.Note)
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, x.Version, x)
}

func (h handler) myFunds(w http.ResponseWriter, r *http.Request) error {
	fs, err := h.svc.MyFunds(r.Context())
	return kit.Items(w, fs, err)
}

func (h handler) myApplications(w http.ResponseWriter, r *http.Request) error {
	xs, err := h.svc.MyApplications(r.Context())
	return kit.Items(w, xs, err)
}

func (h handler) myStatement(w http.ResponseWriter, r *http.Request) error {
	st, err := h.svc.MyEntries(r.Context())
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, st)
	return nil
}

// --- childcare ---

func (h handler) listClasses(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	l, err := h.svc.ListClasses(r.Context(), care.ClassFilter{EnterpriseID: q.Get("enterprise_id"), Status: q.Get("status")}, p)
	return kit.List(w, l, err)
}

func (h handler) getClass(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.GetClass(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, c.Version, c)
}

type sessionRequest struct {
	ID     string `json:"id"`
	HeldOn string `json:"held_on"`
	Topic  string `json:"topic"`
}

func sessions(in []sessionRequest) []care.SessionInput {
	out := make([]care.SessionInput, len(in))
	for i, s := range in {
		out[i] = care.SessionInput{ID: s.ID, HeldOn: s.HeldOn, Topic: s.Topic}
	}
	return out
}

type createClassRequest struct {
	EnterpriseID string           `json:"enterprise_id"`
	OrgID        string           `json:"org_id"`
	Title        string           `json:"title"`
	Description  string           `json:"description"`
	Place        string           `json:"place"`
	StartsOn     string           `json:"starts_on"`
	EndsOn       string           `json:"ends_on"`
	Capacity     int              `json:"capacity"`
	MinAge       int              `json:"min_age"`
	MaxAge       int              `json:"max_age"`
	Sessions     []sessionRequest `json:"sessions"`
}

func (h handler) createClass(w http.ResponseWriter, r *http.Request) error {
	var in createClassRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	c, err := h.svc.CreateClass(r.Context(), care.ClassInput{EnterpriseID: in.EnterpriseID, OrgID: in.OrgID, Title: in.Title, Description: in.Description,
		Place: in.Place, StartsOn: in.StartsOn, EndsOn: in.EndsOn, Capacity: in.Capacity, MinAge: in.MinAge, MaxAge: in.MaxAge, Sessions: sessions(in.Sessions)})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/childcare-classes/"+c.ID)
	return kit.One(w, http.StatusCreated, c.Version, c)
}

type updateClassRequest struct {
	Title       *string           `json:"title"`
	Description *string           `json:"description"`
	Place       *string           `json:"place"`
	StartsOn    *string           `json:"starts_on"`
	EndsOn      *string           `json:"ends_on"`
	Capacity    *int              `json:"capacity"`
	Sessions    *[]sessionRequest `json:"sessions"`
}

func (h handler) updateClass(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	var in updateClassRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	patch := care.ClassPatch{Title: in.Title, Description: in.Description, Place: in.Place, StartsOn: in.StartsOn, EndsOn: in.EndsOn, Capacity: in.Capacity}
	if in.Sessions != nil {
		s := sessions(*in.Sessions)
		patch.Sessions = &s
	}
	c, err := h.svc.UpdateClass(r.Context(), r.PathValue("id"), patch, match.Check)
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, c.Version, c)
}

type classActionRequest struct {
	Action string `json:"action"`
}

func (h handler) actOnClass(w http.ResponseWriter, r *http.Request) error {
	var in classActionRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	c, err := h.svc.ActOnClass(r.Context(), r.PathValue("id"), in.Action)
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, c.Version, c)
}

func (h handler) listEnrolments(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	l, err := h.svc.ListEnrolments(r.Context(), r.PathValue("id"), r.URL.Query().Get("status"), p)
	return kit.List(w, l, err)
}

type enrolRequest struct {
	PersonID  string `json:"person_id"`
	ChildName string `json:"child_name"`
	ChildAge  int    `json:"child_age"`
}

func (h handler) enrol(w http.ResponseWriter, r *http.Request) error {
	var in enrolRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	x, err := h.svc.Enrol(r.Context(), r.PathValue("id"), care.EnrolInput{PersonID: in.PersonID, ChildName: in.ChildName, ChildAge: in.ChildAge})
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusCreated, x)
	return nil
}

type selfEnrolRequest struct {
	ChildName string `json:"child_name"`
	ChildAge  int    `json:"child_age"`
}

func (h handler) enrolAsSelf(w http.ResponseWriter, r *http.Request) error {
	var in selfEnrolRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	x, err := h.svc.EnrolAsSelf(r.Context(), r.PathValue("id"), care.EnrolInput{ChildName: in.ChildName, ChildAge: in.ChildAge})
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusCreated, x)
	return nil
}

func (h handler) withdraw(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.Withdraw(r.Context(), r.PathValue("id"), r.PathValue("enrolment_id"), false); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

func (h handler) withdrawAsSelf(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.Withdraw(r.Context(), r.PathValue("id"), r.PathValue("enrolment_id"), true); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

type attendanceRequest struct {
	SessionID    string   `json:"session_id"`
	EnrolmentIDs []string `json:"enrolment_ids"`
}

func (h handler) attendance(w http.ResponseWriter, r *http.Request) error {
	var in attendanceRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	c, err := h.svc.MarkAttendance(r.Context(), r.PathValue("id"), in.SessionID, in.EnrolmentIDs)
	if err != nil {
		return err
	}
	return kit.One(w, http.StatusOK, c.Version, c)
}

func (h handler) myClasses(w http.ResponseWriter, r *http.Request) error {
	cs, err := h.svc.MyClasses(r.Context())
	return kit.Items(w, cs, err)
}
