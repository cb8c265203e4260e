// Package activitiesapi serves activities and volunteering over HTTP.
package activitiesapi

import (
	"bytes"
	"context"
	_ "embed"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"tongxin/internal/activities"
	"tongxin/internal/apperr"
	"tongxin/internal/etag"
	"tongxin/internal/httpx"
	"tongxin/internal/kit"
	"tongxin/internal/tabular"
)

//go:embed openapi.yaml
var fragment []byte

// Domain returns the activities domain for the server to mount.
func Domain(svc *activities.Service) kit.Domain {
	h := handler{svc}
	const base = "/api/v1/activities"
	return kit.Domain{
		Name: "activities",
		Routes: []kit.Route{
			{Method: "GET", Path: base, Perm: activities.Read, Resource: "activity", Handle: h.list},
			{Method: "POST", Path: base, Perm: activities.Manage, Resource: "activity", Create: true, Handle: h.create},
			{Method: "GET", Path: base + "/{id}", Perm: activities.Read, Resource: "activity", Handle: h.get},
			{Method: "PATCH", Path: base + "/{id}", Perm: activities.Manage, Resource: "activity", Handle: h.update},
			{Method: "DELETE", Path: base + "/{id}", Perm: activities.Manage, Resource: "draft_activity", Handle: h.delete},
			{Method: "POST", Path: base + "/{id}/publish", Perm: activities.Manage, Resource: "draft_activity", Handle: h.action((*activities.Service).Publish)},
			{Method: "POST", Path: base + "/{id}/cancel", Perm: activities.Manage, Resource: "activity", Handle: h.action((*activities.Service).Cancel)},
			{Method: "POST", Path: base + "/{id}/complete", Perm: activities.Manage, Resource: "activity", Handle: h.action((*activities.Service).Complete)},
			{Method: "GET", Path: base + "/{id}/signups", Perm: activities.Roster, Resource: "activity", Handle: h.signups},
			{Method: "GET", Path: base + "/{id}/attendance", Perm: activities.Roster, Resource: "activity", Handle: h.attendance},
			{Method: "POST", Path: base + "/{id}/signups", Access: kit.Self, Handle: h.signUp},
			{Method: "DELETE", Path: base + "/{id}/signups/{signup_id}", Access: kit.Self, Handle: h.cancelSignup},
			{Method: "GET", Path: base + "/{id}/signups/{signup_id}/certificate", Access: kit.Self, Handle: h.certificate},
			{Method: "POST", Path: base + "/{id}/checkin-codes", Perm: activities.Manage, Resource: "activity", Create: true, Handle: h.mintCode},
			{Method: "GET", Path: base + "/{id}/checkin-codes/{code}/qr", Perm: activities.Manage, Resource: "activity", Handle: h.qr},
			{Method: "POST", Path: "/api/v1/checkins", Access: kit.Self, Handle: h.checkIn},
			{Method: "PUT", Path: base + "/{id}/hours/{person_id}", Perm: activities.Manage, Resource: "completed_activity", Handle: h.enterHours},
			{Method: "POST", Path: base + "/{id}/corrections", Access: kit.Self, Handle: h.requestCorrection},
			{Method: "GET", Path: base + "/{id}/corrections", Perm: activities.Roster, Resource: "activity", Handle: h.corrections},
			{Method: "POST", Path: base + "/{id}/corrections/{correction_id}/decision", Perm: activities.Manage, Resource: "completed_activity", Handle: h.decide},
			{Method: "GET", Path: "/api/v1/activity-corrections", Perm: activities.Roster, Resource: "completed_activity", Handle: h.correctionQueue},
			{Method: "GET", Path: "/api/v1/activity-calendar", Perm: activities.Read, Resource: "activity", Handle: h.orgFeed},
			{Method: "GET", Path: "/api/v1/campaigns", Perm: activities.Read, Resource: "campaign", Handle: h.listCampaigns},
			{Method: "POST", Path: "/api/v1/campaigns", Perm: activities.Manage, Resource: "campaign", Create: true, Handle: h.createCampaign},
			{Method: "GET", Path: "/api/v1/campaigns/{id}", Perm: activities.Read, Resource: "campaign", Handle: h.getCampaign},
			{Method: "PATCH", Path: "/api/v1/campaigns/{id}", Perm: activities.Manage, Resource: "campaign", Handle: h.updateCampaign},
			{Method: "GET", Path: "/api/v1/me/activities", Access: kit.Self, Handle: h.open},
			{Method: "GET", Path: "/api/v1/me/activities/{id}", Access: kit.Self, Handle: h.openOne},
			{Method: "GET", Path: "/api/v1/me/signups", Access: kit.Self, Handle: h.mySignups},
			{Method: "POST", Path: "/api/v1/me/calendar-token", Access: kit.Self, Handle: h.newToken},
			{Method: "DELETE", Path: "/api/v1/me/calendar-token", Access: kit.Self, Handle: h.revokeToken},
			{Method: "GET", Path: "/api/v1/people/{id}/hours", Access: kit.Self, Handle: h.hours},
			{Method: "GET", Path: "/api/v1/calendar/{token}", Access: kit.Public, Handle: h.personFeed},
		},
		OpenAPI:  fragment,
		Locales:  activities.Locales(),
		Tables:   []string{"activities", "activity_posts", "activity_signups", "activity_corrections", "activity_campaigns", "activity_calendar_tokens", "matrix_facts", "matrix_totals"},
		Fixtures: []kit.Fixture{activityFixture, draftFixture, completedFixture, campaignFixture},
	}
}

type handler struct{ svc *activities.Service }

func (h handler) list(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := activities.Filter{Status: q.Get("status"), Kind: q.Get("kind"), Function: q.Get("function"), Level: q.Get("level"),
		ParkID: q.Get("park_id"), OrganizerID: q.Get("organizer_id"), CampaignID: q.Get("campaign_id")}
	if f.From, err = httpx.QueryDate(r, "from", false); err != nil {
		return err
	}
	if f.To, err = httpx.QueryDate(r, "to", true); err != nil {
		return err
	}
	if err := activities.CheckFilter(f); err != nil {
		return err
	}
	list, err := h.svc.List(r.Context(), f, p)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, list)
	return nil
}

func (h handler) get(w http.ResponseWriter, r *http.Request) error {
	a, err := h.svc.Get(r.Context(), r.PathValue("id"))
	return answer(w, http.StatusOK, a, err)
}

func answer(w http.ResponseWriter, status int, a activities.Activity, err error) error {
	if err != nil {
		return err
	}
	httpx.ETag(w, a.Version)
	httpx.JSON(w, status, a)
	return nil
}

type location struct {
	Name string   `json:"name"`
	Lat  *float64 `json:"lat"`
	Lng  *float64 `json:"lng"`
}

func (l *location) input() *activities.LocationInput {
	if l == nil {
		return nil
	}
	return &activities.LocationInput{Name: l.Name, Lat: l.Lat, Lng: l.Lng}
}

type post struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Capacity *int   `json:"capacity"`
}

func postInputs(ps []post) []activities.PostInput {
	out := make([]activities.PostInput, len(ps))
	for i, p := range ps {
		out[i] = activities.PostInput{ID: p.ID, Name: p.Name, Capacity: p.Capacity}
	}
	return out
}

type createRequest struct {
	ZoneID         string    `json:"zone_id"`
	CampaignID     string    `json:"campaign_id"`
	Title          string    `json:"title"`
	Description    string    `json:"description"`
	Kind           string    `json:"kind"`
	Function       string    `json:"function"`
	OrganizerID    string    `json:"organizer_id"`
	StartsAt       string    `json:"starts_at"`
	EndsAt         string    `json:"ends_at"`
	Location       *location `json:"location"`
	GeofenceM      *int      `json:"geofence_m"`
	Capacity       *int      `json:"capacity"`
	CreditHours    *float64  `json:"credit_hours"`
	CheckinMode    string    `json:"checkin_mode"`
	SignupClosesAt string    `json:"signup_closes_at"`
	CancelClosesAt string    `json:"cancel_closes_at"`
	Posts          []post    `json:"posts"`
}

func (h handler) create(w http.ResponseWriter, r *http.Request) error {
	var in createRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	a, err := h.svc.Create(r.Context(), activities.Input{ZoneID: in.ZoneID, CampaignID: in.CampaignID, Title: in.Title, Description: in.Description,
		Kind: in.Kind, Function: in.Function, OrganizerID: in.OrganizerID, StartsAt: in.StartsAt, EndsAt: in.EndsAt, Location: in.Location.input(),
		GeofenceM: in.GeofenceM, Capacity: in.Capacity, CreditHours: in.CreditHours, CheckinMode: in.CheckinMode,
		SignupClosesAt: in.SignupClosesAt, CancelClosesAt: in.CancelClosesAt, Posts: postInputs(in.Posts)})
	if err == nil {
		w.Header().Set("Location", "/api/v1/activities/"+a.ID)
	}
	return answer(w, http.StatusCreated, a, err)
}

type updateRequest struct {
	CampaignID     *string                  `json:"campaign_id"`
	Title          *string                  `json:"title"`
	Description    *string                  `json:"description"`
	Kind           *string                  `json:"kind"`
	Function       *string                  `json:"function"`
	OrganizerID    *string                  `json:"organizer_id"`
	StartsAt       *string                  `json:"starts_at"`
	EndsAt         *string                  `json:"ends_at"`
	Location       httpx.Optional[location] `json:"location"`
	GeofenceM      httpx.Optional[int]      `json:"geofence_m"`
	Capacity       *int                     `json:"capacity"`
	CreditHours    *float64                 `json:"credit_hours"`
	CheckinMode    *string                  `json:"checkin_mode"`
	SignupClosesAt *string                  `json:"signup_closes_at"`
	CancelClosesAt *string                  `json:"cancel_closes_at"`
	Posts          *[]post                  `json:"posts"`
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
	p := activities.Patch{CampaignID: in.CampaignID, Title: in.Title, Description: in.Description, Kind: in.Kind, Function: in.Function,
		OrganizerID: in.OrganizerID, StartsAt: in.StartsAt, EndsAt: in.EndsAt, SetLocation: in.Location.Set, Location: in.Location.Value.input(),
		SetGeofence: in.GeofenceM.Set, GeofenceM: in.GeofenceM.Value, Capacity: in.Capacity, CreditHours: in.CreditHours,
		CheckinMode: in.CheckinMode, SignupClosesAt: in.SignupClosesAt, CancelClosesAt: in.CancelClosesAt}
	if in.Posts != nil {
		ps := postInputs(*in.Posts)
		p.Posts = &ps
	}
	a, err := h.svc.Update(r.Context(), r.PathValue("id"), p, match)
	return answer(w, http.StatusOK, a, err)
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

// action serves a status transition (publish, cancel, complete): no body,
// If-Match optional.
func (h handler) action(do func(*activities.Service, context.Context, string, etag.Match) (activities.Activity, error)) kit.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		match, err := httpx.IfMatch(r)
		if err != nil {
			return err
		}
		if err := emptyBody(w, r); err != nil {
			return err
		}
		a, err := do(h.svc, r.Context(), r.PathValue("id"), match)
		return answer(w, http.StatusOK, a, err)
	}
}

// emptyBody accepts no body or an empty JSON object.
func emptyBody(w http.ResponseWriter, r *http.Request) error {
	if r.ContentLength == 0 {
		return nil
	}
	var in struct{}
	return httpx.Decode(w, r, &in)
}

func (h handler) signups(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	l, err := h.svc.ListSignups(r.Context(), r.PathValue("id"), activities.SignupFilter{Status: q.Get("status"), PostID: q.Get("post_id")}, p)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, l)
	return nil
}

func attendanceColumns() []tabular.Column {
	return []tabular.Column{
		{Key: "name", Header: "姓名", HeaderEN: "Name", Width: 14},
		{Key: "post", Header: "岗位", HeaderEN: "Post", Width: 18},
		{Key: "status", Header: "报名状态", HeaderEN: "Sign-up status", Width: 12},
		{Key: "walk_up", Header: "现场加入", HeaderEN: "Walk-up", Width: 10},
		{Key: "checked_in_at", Header: "签到时间", HeaderEN: "Checked in", Width: 20},
		{Key: "checked_out_at", Header: "签退时间", HeaderEN: "Checked out", Width: 20},
		{Key: "hours", Header: "时长（小时）", HeaderEN: "Hours", Width: 12},
		{Key: "manual", Header: "手工录入", HeaderEN: "Manual", Width: 10},
	}
}

func (h handler) attendance(w http.ResponseWriter, r *http.Request) error {
	en := httpx.Lang(r).Lang() == "en"
	yes := func(b bool) string {
		switch {
		case !b:
			return ""
		case en:
			return "yes"
		}
		return "是"
	}
	stamp := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(httpx.ChinaTime).Format("2006-01-02 15:04")
	}
	status := map[string][2]string{"registered": {"已报名", "registered"}, "waitlisted": {"候补", "waitlisted"}}
	return httpx.Export(w, r, httpx.FileName(r, "活动签到表", "attendance", true), attendanceColumns(), func(write func([]string) error) error {
		return h.svc.Attendance(r.Context(), r.PathValue("id"), func(a activities.Activity, x activities.Signup) error {
			hours := ""
			if x.Hours != nil {
				hours = strconv.FormatFloat(*x.Hours, 'f', -1, 64)
			}
			st := status[x.Status][0]
			if en {
				st = status[x.Status][1]
			}
			return write([]string{x.PersonName, a.PostName(x.PostID), st, yes(x.WalkUp), stamp(x.CheckedInAt), stamp(x.CheckedOutAt), hours, yes(x.Manual)})
		})
	})
}

type signupRequest struct {
	PersonID string `json:"person_id"`
	PostID   string `json:"post_id"`
	WalkUp   bool   `json:"walk_up"`
}

func (h handler) signUp(w http.ResponseWriter, r *http.Request) error {
	var in signupRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	x, err := h.svc.SignUp(r.Context(), r.PathValue("id"), activities.SignupInput{PersonID: in.PersonID, PostID: in.PostID, WalkUp: in.WalkUp})
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusCreated, x)
	return nil
}

func (h handler) cancelSignup(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.CancelSignup(r.Context(), r.PathValue("id"), r.PathValue("signup_id")); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

type codeRequest struct {
	TTLSeconds int `json:"ttl_seconds"`
}

type codeAnswer struct {
	Code       string    `json:"code"`
	ExpiresAt  time.Time `json:"expires_at"`
	QRURL      string    `json:"qr_url"`
	CheckinURL string    `json:"checkin_url"`
}

// checkinURL is the phone page a scanned code opens, on the address the
// caller reached the server by.
func checkinURL(r *http.Request, code string) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/m/checkin?code=" + url.QueryEscape(code)
}

func (h handler) mintCode(w http.ResponseWriter, r *http.Request) error {
	var in codeRequest
	if r.ContentLength != 0 {
		if err := httpx.Decode(w, r, &in); err != nil {
			return err
		}
	}
	c, err := h.svc.MintCode(r.Context(), r.PathValue("id"), time.Duration(in.TTLSeconds)*time.Second)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusCreated, codeAnswer{Code: c.Code, ExpiresAt: c.ExpiresAt,
		QRURL:      "/api/v1/activities/" + url.PathEscape(r.PathValue("id")) + "/checkin-codes/" + url.PathEscape(c.Code) + "/qr",
		CheckinURL: checkinURL(r, c.Code)})
	return nil
}

// qr serves a code as a PNG QR image of the phone check-in address. The
// code must be genuine and of the activity; an expired one still renders
// (the screen asks for a new one itself).
func (h handler) qr(w http.ResponseWriter, r *http.Request) error {
	if _, err := h.svc.Get(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	id, _, err := h.svc.CodeActivity(r.PathValue("code"))
	if err != nil {
		return err
	}
	if id != r.PathValue("id") {
		return apperr.Field("code", "other_activity")
	}
	png, err := qrcode.Encode(checkinURL(r, r.PathValue("code")), qrcode.Medium, 512)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/png")
	w.Write(png)
	return nil
}

type checkinRequest struct {
	Code       string   `json:"code"`
	PersonID   string   `json:"person_id"`
	ActivityID string   `json:"activity_id"`
	Action     string   `json:"action"`
	Lat        *float64 `json:"lat"`
	Lng        *float64 `json:"lng"`
}

func (h handler) checkIn(w http.ResponseWriter, r *http.Request) error {
	var in checkinRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	c, err := h.svc.CheckIn(r.Context(), activities.CheckinInput{Code: in.Code, PersonID: in.PersonID, ActivityID: in.ActivityID, Action: in.Action,
		Lat: in.Lat, Lng: in.Lng})
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusCreated, c)
	return nil
}

type hoursRequest struct {
	Hours *float64 `json:"hours"`
	Note  string   `json:"note"`
}

func (h handler) enterHours(w http.ResponseWriter, r *http.Request) error {
	var in hoursRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	if in.Hours == nil {
		return apperr.Field("hours", "required")
	}
	x, err := h.svc.EnterHours(r.Context(), r.PathValue("id"), r.PathValue("person_id"), *in.Hours, in.Note)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, x)
	return nil
}

type correctionRequest struct {
	PersonID string   `json:"person_id"`
	Hours    *float64 `json:"hours"`
	Reason   string   `json:"reason"`
}

func (h handler) requestCorrection(w http.ResponseWriter, r *http.Request) error {
	var in correctionRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	if in.Hours == nil {
		return apperr.Field("hours", "required")
	}
	c, err := h.svc.RequestCorrection(r.Context(), r.PathValue("id"), in.PersonID, *in.Hours, in.Reason)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusCreated, c)
	return nil
}

func (h handler) corrections(w http.ResponseWriter, r *http.Request) error {
	return h.listCorrections(w, r, r.PathValue("id"))
}

func (h handler) correctionQueue(w http.ResponseWriter, r *http.Request) error {
	return h.listCorrections(w, r, "")
}

func (h handler) listCorrections(w http.ResponseWriter, r *http.Request, activityID string) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	l, err := h.svc.ListCorrections(r.Context(), activityID, r.URL.Query().Get("status"), p)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, l)
	return nil
}

type decisionRequest struct {
	Decision string `json:"decision"`
	Note     string `json:"note"`
}

func (h handler) decide(w http.ResponseWriter, r *http.Request) error {
	var in decisionRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	c, err := h.svc.DecideCorrection(r.Context(), r.PathValue("id"), r.PathValue("correction_id"), in.Decision, in.Note)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, c)
	return nil
}

func (h handler) open(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	l, err := h.svc.Open(r.Context(), p)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, l)
	return nil
}

func (h handler) openOne(w http.ResponseWriter, r *http.Request) error {
	a, err := h.svc.OpenOne(r.Context(), r.PathValue("id"))
	return answer(w, http.StatusOK, a, err)
}

func (h handler) mySignups(w http.ResponseWriter, r *http.Request) error {
	l, err := h.svc.MySignups(r.Context())
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"items": l})
	return nil
}

func (h handler) hours(w http.ResponseWriter, r *http.Request) error {
	hs, err := h.svc.PersonHours(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, hs)
	return nil
}

func (h handler) newToken(w http.ResponseWriter, r *http.Request) error {
	if err := emptyBody(w, r); err != nil {
		return err
	}
	t, err := h.svc.NewCalendarToken(r.Context())
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusCreated, map[string]string{"token": t, "url": "/api/v1/calendar/" + t})
	return nil
}

func (h handler) revokeToken(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.RevokeCalendarToken(r.Context()); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

func calendar(w http.ResponseWriter, body string, err error) error {
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Write([]byte(body))
	return nil
}

func (h handler) personFeed(w http.ResponseWriter, r *http.Request) error {
	body, err := h.svc.PersonFeed(r.Context(), r.PathValue("token"))
	return calendar(w, body, err)
}

func (h handler) orgFeed(w http.ResponseWriter, r *http.Request) error {
	body, err := h.svc.OrgFeed(r.Context(), r.URL.Query().Get("organizer_id"))
	return calendar(w, body, err)
}

var certificatePage = template.Must(template.New("certificate").Parse(certificateHTML))

//go:embed certificate.html
var certificateHTML string

func (h handler) certificate(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.Certificate(r.Context(), r.PathValue("id"), r.PathValue("signup_id"))
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := certificatePage.Execute(&b, map[string]any{"C": c, "Hours": strconv.FormatFloat(c.Hours, 'f', -1, 64)}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(b.Bytes())
	return nil
}

func (h handler) listCampaigns(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	l, err := h.svc.ListCampaigns(r.Context(), p)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, l)
	return nil
}

func campaignAnswer(w http.ResponseWriter, status int, c activities.Campaign, err error) error {
	if err != nil {
		return err
	}
	httpx.ETag(w, c.Version)
	httpx.JSON(w, status, c)
	return nil
}

func (h handler) getCampaign(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.GetCampaign(r.Context(), r.PathValue("id"))
	return campaignAnswer(w, http.StatusOK, c, err)
}

type campaignRequest struct {
	OrganizerID string `json:"organizer_id"`
	Name        string `json:"name"`
	Function    string `json:"function"`
	Description string `json:"description"`
}

func (h handler) createCampaign(w http.ResponseWriter, r *http.Request) error {
	var in campaignRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	c, err := h.svc.CreateCampaign(r.Context(), activities.CampaignInput{OrganizerID: in.OrganizerID, Name: in.Name, Function: in.Function,
		Description: in.Description})
	return campaignAnswer(w, http.StatusCreated, c, err)
}

type campaignPatch struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
}

func (h handler) updateCampaign(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	var in campaignPatch
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	c, err := h.svc.UpdateCampaign(r.Context(), r.PathValue("id"), in.Name, in.Description, match)
	return campaignAnswer(w, http.StatusOK, c, err)
}
