package servicenetapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/client"
	"tongxin/internal/config"
	"tongxin/internal/secret"
	"tongxin/internal/server"
	"tongxin/internal/servicenet"
	"tongxin/internal/servicenet/servicenetapi"
	"tongxin/internal/tabular/tabulartest"
	"tongxin/internal/testenv"
)

var ctx = context.Background()

// clock is the injected clock: the real time plus an offset tests move.
type clock struct{ offset atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// world: two parks of the zone, the Wuli centre and one area point in
// Wuli (both offering legal aid; the area point also property), a point
// in Andong, staff on each point, a park admin of Wuli, and a worker
// granted on their enterprise in Wuli.
type world struct {
	srv                     *testenv.Server
	admin                   *client.Client
	wuli, andong            client.Park
	center, area, andongPt  client.ServicePoint
	centerStaff, areaStaff  *client.Client
	andongStaff, wuliAdmin  *client.Client
	worker                  *client.Client
	areaStaffID, workerUser string
	clock                   *clock
}

func newWorld(t *testing.T, dsn string) world {
	// Sessions live on the same clock the tests move forward by days.
	srv := testenv.StartWith(t, dsn, nil, func(c *config.Config) { c.SessionTTL, c.SessionMaxAge = 1000*time.Hour, 1000*time.Hour })
	w := world{srv: srv, admin: srv.Admin(), wuli: srv.Park("五里园", "wuli"), andong: srv.Park("安东园", "andong"), clock: &clock{}}
	srv.DB.Now = w.clock.Now
	var err error
	w.center, err = w.admin.CreateServicePoint(ctx, map[string]any{"park_id": w.wuli.ID, "name": "五里园邻里中心", "kind": "center",
		"location": map[string]float64{"lat": 24.7600, "lng": 118.5600}, "hours": "8:30-17:30", "service_codes": []string{"legal_aid", "party_mass"}})
	if err != nil {
		t.Fatal(err)
	}
	w.area, err = w.admin.CreateServicePoint(ctx, map[string]any{"park_id": w.wuli.ID, "name": "五里园北片区服务点", "kind": "point",
		"location": map[string]float64{"lat": 24.7800, "lng": 118.5600}, "service_codes": []string{"legal_aid", "property"}})
	if err != nil {
		t.Fatal(err)
	}
	w.andongPt, err = w.admin.CreateServicePoint(ctx, map[string]any{"park_id": w.andong.ID, "name": "安东园服务点", "kind": "center",
		"location": map[string]float64{"lat": 24.7790, "lng": 118.5610}, "service_codes": []string{"legal_aid"}})
	if err != nil {
		t.Fatal(err)
	}
	w.centerStaff = srv.User("center-staff", access.ServiceStaff, w.center.ID)
	w.areaStaff = srv.User("area-staff", access.ServiceStaff, w.area.ID)
	w.areaStaffID = srv.UserID("area-staff")
	w.andongStaff = srv.User("andong-staff", access.ServiceStaff, w.andongPt.ID)
	w.wuliAdmin = srv.User("wuli-admin", access.ParkAdmin, w.wuli.ID)
	ent := srv.Enterprise(w.wuli.ID, "盼盼饮料")
	w.worker = srv.User("worker", access.Member, ent)
	w.workerUser = srv.UserID("worker")
	return w
}

func (w world) file(t *testing.T, c *client.Client, body map[string]any) client.ServiceRequest {
	t.Helper()
	if body["description"] == nil {
		body["description"] = "工伤待遇咨询"
	}
	if body["service_code"] == nil {
		body["service_code"] = "legal_aid"
	}
	r, err := c.FileServiceRequest(ctx, body)
	if err != nil {
		t.Fatalf("filing %v: %v", body, err)
	}
	return r
}

// The workflow table: every action from every state is allowed (to the
// state the table names, with one timeline entry more) or refused with
// 409 and nothing changed.
func TestWorkflowEveryStateAndAction(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		reach := map[string][]string{
			servicenet.Submitted:  nil,
			servicenet.Accepted:   {"accept"},
			servicenet.Assigned:   {"assign"},
			servicenet.InProgress: {"accept", "start"},
			servicenet.Resolved:   {"accept", "start", "resolve"},
			servicenet.Closed:     {"accept", "start", "resolve", "close"},
			servicenet.Rejected:   {"reject"},
		}
		body := func(action string) map[string]any {
			b := map[string]any{"action": action}
			switch action {
			case "assign":
				b["assignee_id"] = w.areaStaffID
			case "reject":
				b["note"] = "不属于本点受理范围"
			case "rate":
				b["rating"] = 4
			}
			return b
		}
		for _, state := range servicenet.States {
			for _, action := range servicenet.Actions {
				r := w.file(t, w.admin, map[string]any{"point_id": w.area.ID})
				for _, a := range reach[state] {
					var err error
					if r, err = w.areaStaff.ActOnServiceRequest(ctx, r.ID, body(a)); err != nil {
						t.Fatalf("reaching %s with %s: %v", state, a, err)
					}
				}
				if r.Status != state || len(r.Timeline) != 1+len(reach[state]) {
					t.Fatalf("reached %s with %d steps, want %s", r.Status, len(r.Timeline), state)
				}
				step, allowed := servicenet.Workflow[state][action]
				got, err := w.areaStaff.ActOnServiceRequest(ctx, r.ID, body(action))
				if !allowed {
					testenv.WantStatus(t, err, 409)
					after, _ := w.admin.GetServiceRequest(ctx, r.ID)
					if after.Status != state || after.Version != r.Version || len(after.Timeline) != len(r.Timeline) {
						t.Fatalf("%s from %s refused but changed the request: %+v", action, state, after)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s from %s: %v", action, state, err)
				}
				last := got.Timeline[len(got.Timeline)-1]
				if got.Status != step.Next || len(got.Timeline) != len(r.Timeline)+1 || last.Action != action || last.ActorID == nil ||
					*last.ActorID != w.areaStaffID {
					t.Fatalf("%s from %s: %s with timeline %+v, want %s", action, state, got.Status, got.Timeline, step.Next)
				}
			}
		}
	})
}

func TestWorkflowRules(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		r := w.file(t, w.worker, map[string]any{"location": map[string]any{"address": "北片区宿舍", "lat": 24.781, "lng": 118.5601},
			"contact": map[string]string{"name": "张师傅", "phone": "138-0013-8000"}})
		if r.PointID != w.area.ID || r.Contact.Phone != "138****8000" || r.Source != "api" {
			t.Fatalf("filed %+v", r)
		}
		if n := w.srv.Count("service_requests", "id = $1 AND contact_phone LIKE '%13800138000%'", r.ID); n != 0 {
			t.Fatal("the phone is stored in clear")
		}
		// The point's staff reveal the phone (audited); an auditor may not.
		var full client.ServiceRequest
		if err := w.areaStaff.Call(ctx, "GET", "/api/v1/service-requests/"+r.ID+"?reveal=true", nil, &full); err != nil || full.Contact.Phone != "13800138000" {
			t.Fatalf("reveal: %+v %v", full.Contact, err)
		}
		if w.srv.Count("audit_log", "entity = 'service_request' AND entity_id = $1 AND action = 'reveal'", r.ID) != 1 {
			t.Fatal("the reveal was not audited")
		}
		auditor := w.srv.User("auditor", access.Auditor, w.wuli.ID)
		testenv.WantStatus(t, auditor.Call(ctx, "GET", "/api/v1/service-requests/"+r.ID+"?reveal=true", nil, nil), 403)
		testenv.WantStatus(t, w.areaStaff.Call(ctx, "GET", "/api/v1/service-requests/"+r.ID+"?reveal=maybe", nil, nil), 400)
		// The worker may not take staff steps, the staff may.
		_, err := w.worker.ActOnServiceRequest(ctx, r.ID, map[string]any{"action": "accept"})
		testenv.WantStatus(t, err, 403)
		// Reject needs a reason.
		_, err = w.areaStaff.ActOnServiceRequest(ctx, r.ID, map[string]any{"action": "reject", "note": "  "})
		testenv.WantStatus(t, err, 422)
		// Assign only to someone who works requests at the point.
		_, err = w.areaStaff.ActOnServiceRequest(ctx, r.ID, map[string]any{"action": "assign", "assignee_id": w.srv.UserID("andong-staff")})
		testenv.WantStatus(t, err, 422)
		for _, a := range []map[string]any{{"action": "accept"}, {"action": "assign", "assignee_id": w.areaStaffID}, {"action": "start"},
			{"action": "resolve", "note": "已联系法律服务基地"}} {
			if r, err = w.areaStaff.ActOnServiceRequest(ctx, r.ID, a); err != nil {
				t.Fatalf("%v: %v", a, err)
			}
		}
		if r.AssigneeID == nil || *r.AssigneeID != w.areaStaffID {
			t.Fatalf("assignee %v", r.AssigneeID)
		}
		if n := w.resolved(t, "governance"); n != 1 {
			t.Fatalf("requests_resolved after resolving: %d", n)
		}
		// Ratings out of range, rating twice.
		for _, bad := range []any{0, 6, nil} {
			_, err = w.worker.ActOnServiceRequest(ctx, r.ID, map[string]any{"action": "rate", "rating": bad})
			testenv.WantStatus(t, err, 422)
		}
		if r, err = w.worker.ActOnServiceRequest(ctx, r.ID, map[string]any{"action": "rate", "rating": 5, "note": "很及时"}); err != nil || *r.Rating != 5 {
			t.Fatalf("rating: %+v %v", r, err)
		}
		_, err = w.worker.ActOnServiceRequest(ctx, r.ID, map[string]any{"action": "rate", "rating": 3})
		testenv.WantStatus(t, err, 409)
		// The worker reopens: a new deadline, the rating cleared.
		due := r.DueAt
		w.clock.Advance(2 * time.Hour)
		if r, err = w.worker.ActOnServiceRequest(ctx, r.ID, map[string]any{"action": "reopen", "note": "问题未解决"}); err != nil {
			t.Fatal(err)
		}
		if r.Status != servicenet.Accepted || r.Rating != nil || !r.DueAt.After(due) {
			t.Fatalf("reopened %+v", r)
		}
		if n := w.resolved(t, "governance"); n != 0 {
			t.Fatalf("requests_resolved after reopening: %d", n)
		}
		// The worker sees it among their own; someone else's is 404 to them.
		mine, err := w.worker.MyServiceRequests(ctx, nil)
		if err != nil || mine.Total != 1 || mine.Items[0].ID != r.ID || len(mine.Items[0].Timeline) != 7 {
			t.Fatalf("mine: %+v %v", mine, err)
		}
		other := w.file(t, w.admin, map[string]any{"point_id": w.area.ID})
		_, err = w.worker.ActOnServiceRequest(ctx, other.ID, map[string]any{"action": "close"})
		testenv.WantStatus(t, err, 404)
		// Unknown action.
		_, err = w.areaStaff.ActOnServiceRequest(ctx, r.ID, map[string]any{"action": "escalate"})
		testenv.WantStatus(t, err, 422)
	})
}

// resolved is requests_resolved in the 3.14π matrix for the Wuli park
// level under function.
func (w world) resolved(t *testing.T, function string) int64 {
	t.Helper()
	var n int64
	err := w.srv.DB.R.QueryRowContext(ctx, `SELECT COALESCE(SUM(requests_resolved), 0) FROM matrix_facts WHERE grain = 'd' AND park_id = $1 AND level = 'park' AND function = $2`,
		w.wuli.ID, function).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func ids(rs []client.ServiceRequest) map[string]bool {
	out := map[string]bool{}
	for _, r := range rs {
		out[r.ID] = true
	}
	return out
}

// Routing and scope: the nearest point offering the service, unless one
// is named; service staff see only their point's requests.
func TestRoutingAndScope(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		nearArea := w.file(t, w.worker, map[string]any{"location": map[string]any{"address": "", "lat": 24.779, "lng": 118.5601}})
		nearCenter := w.file(t, w.worker, map[string]any{"location": map[string]any{"address": "", "lat": 24.761, "lng": 118.5601}})
		noPlace := w.file(t, w.worker, map[string]any{})
		named := w.file(t, w.worker, map[string]any{"point_id": w.center.ID, "location": map[string]any{"address": "", "lat": 24.779, "lng": 118.5601}})
		property := w.file(t, w.worker, map[string]any{"service_code": "property", "location": map[string]any{"address": "", "lat": 24.761, "lng": 118.5601}})
		for _, c := range []struct {
			r    client.ServiceRequest
			want string
		}{{nearArea, w.area.ID}, {nearCenter, w.center.ID}, {noPlace, w.center.ID}, {named, w.center.ID}, {property, w.area.ID}} {
			if c.r.PointID != c.want || c.r.ParkID != w.wuli.ID {
				t.Errorf("routed to %s, want %s", c.r.PointID, c.want)
			}
		}
		// The Andong point is nearer to this place, but the worker reaches
		// only Wuli (their enterprise's park); the admin reaches both.
		if r := w.file(t, w.admin, map[string]any{"location": map[string]any{"address": "", "lat": 24.7791, "lng": 118.5611}}); r.PointID != w.andongPt.ID {
			t.Errorf("admin's request routed to %s", r.PointID)
		}
		_, err := w.worker.FileServiceRequest(ctx, map[string]any{"point_id": w.andongPt.ID, "service_code": "legal_aid", "description": "x"})
		testenv.WantStatus(t, err, 422)

		areaList, err := w.areaStaff.ListServiceRequests(ctx, nil)
		if err != nil || !ids(areaList.Items)[nearArea.ID] || !ids(areaList.Items)[property.ID] || areaList.Total != 2 {
			t.Fatalf("area staff see %+v %v", areaList, err)
		}
		if _, err := w.areaStaff.GetServiceRequest(ctx, nearCenter.ID); client.StatusOf(err) != 404 {
			t.Fatalf("area staff read the centre's request: %v", err)
		}
		_, err = w.areaStaff.ActOnServiceRequest(ctx, nearCenter.ID, map[string]any{"action": "accept"})
		testenv.WantStatus(t, err, 404)
		_, err = w.andongStaff.ActOnServiceRequest(ctx, nearArea.ID, map[string]any{"action": "accept"})
		testenv.WantStatus(t, err, 404)
		parkList, err := w.wuliAdmin.ListServiceRequests(ctx, url.Values{"point_id": {w.center.ID}})
		if err != nil || parkList.Total != 3 {
			t.Fatalf("park admin, centre filter: %+v %v", parkList, err)
		}
		// A worker lists only through /my.
		_, err = w.worker.ListServiceRequests(ctx, nil)
		testenv.WantStatus(t, err, 403)
	})
}

// Bad input: a clear 4xx naming the field, nothing written.
func TestBadRequestsChangeNothing(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		r := w.file(t, w.admin, map[string]any{"point_id": w.area.ID})
		tables := []string{"service_requests", "service_request_events", "audit_log", "service_points", "services"}
		before := map[string]int{}
		for _, tb := range tables {
			before[tb] = w.srv.Count(tb)
		}
		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"service_code": "no_such", "description": "x"}, "service_code"},
			{map[string]any{"service_code": "legal_aid", "description": ""}, "description"},
			{map[string]any{"service_code": "legal_aid", "description": "x", "location": map[string]any{"lat": 91, "lng": 118}}, "location.lat"},
			{map[string]any{"service_code": "legal_aid", "description": "x", "location": map[string]any{"lat": 24, "lng": 181}}, "location.lng"},
			{map[string]any{"service_code": "legal_aid", "description": "x", "location": map[string]any{"lat": 24}}, "location.lng"},
			{map[string]any{"service_code": "legal_aid", "description": "x", "contact": map[string]any{"phone": "12345"}}, "contact.phone"},
			{map[string]any{"service_code": "legal_aid", "description": "x", "point_id": "nope"}, "point_id"},
			{map[string]any{"service_code": "party_mass", "description": "x", "point_id": w.area.ID}, "point_id"},
			{map[string]any{"service_code": "childcare", "description": "x"}, "service_code"},
			{map[string]any{"service_code": "legal_aid", "description": "x", "requester_id": "nobody"}, "requester_id"},
		} {
			_, err := w.worker.FileServiceRequest(ctx, c.body)
			p := testenv.Problem(err)
			if client.StatusOf(err) != 422 || len(p.Errors) == 0 || p.Errors[0].Field != c.field {
				t.Errorf("%v: %v, want 422 on %s", c.body, err, c.field)
			}
		}
		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"action": "fly"}, "action"},
			{map[string]any{"action": "assign"}, "assignee_id"},
			{map[string]any{"action": "accept", "rating": 3}, "rating"},
			{map[string]any{"action": "accept", "assignee_id": w.areaStaffID}, "assignee_id"},
			{map[string]any{"action": "reject"}, "note"},
			{map[string]any{"action": "accept", "note": strings.Repeat("长", 501)}, "note"},
		} {
			_, err := w.areaStaff.ActOnServiceRequest(ctx, r.ID, c.body)
			p := testenv.Problem(err)
			if client.StatusOf(err) != 422 || len(p.Errors) == 0 || p.Errors[0].Field != c.field {
				t.Errorf("%v: %v, want 422 on %s", c.body, err, c.field)
			}
		}
		// Out of order.
		for _, a := range []string{"start", "resolve", "close", "reopen"} {
			_, err := w.areaStaff.ActOnServiceRequest(ctx, r.ID, map[string]any{"action": a})
			testenv.WantStatus(t, err, 409)
		}
		_, err := w.areaStaff.ActOnServiceRequest(ctx, r.ID, map[string]any{"action": "rate", "rating": 5})
		testenv.WantStatus(t, err, 409)
		_, err = w.admin.CreateService(ctx, map[string]any{"code": "Bad Code", "name": "x", "category": "x", "function": "service", "sla_hours": 1})
		testenv.WantStatus(t, err, 422)
		_, err = w.admin.CreateService(ctx, map[string]any{"code": "ok", "name": "x", "category": "x", "function": "nope", "sla_hours": 0})
		testenv.WantStatus(t, err, 422)
		_, err = w.admin.CreateServicePoint(ctx, map[string]any{"park_id": w.wuli.ID, "name": "x", "service_codes": []string{"no_such"}})
		testenv.WantStatus(t, err, 422)
		for tb, n := range before {
			if got := w.srv.Count(tb); got != n {
				t.Errorf("bad input changed %s: %d → %d", tb, n, got)
			}
		}
		// The error speaks the user's language.
		status, _, answer := testenv.Raw(t, w.areaStaff, "POST", "/api/v1/service-requests/"+r.ID+"/actions", `{"action":"close"}`,
			map[string]string{"Content-Type": "application/json", "Accept-Language": "zh-CN"})
		if status != 409 || !strings.Contains(answer, "不能执行") {
			t.Fatalf("zh-CN refusal: %d %s", status, answer)
		}
	})
}

// The catalogue: seeded once per zone, editable by zone admins, and the
// deadline follows the service's SLA hours.
func TestCatalogue(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		cat, err := w.worker.Catalogue(ctx, "")
		if err != nil || len(cat) != len(servicenet.DefaultCatalogue) {
			t.Fatalf("catalogue %+v %v", cat, err)
		}
		_, err = w.wuliAdmin.CreateService(ctx, map[string]any{"code": "x", "name": "x", "category": "x", "function": "service", "sla_hours": 1})
		testenv.WantStatus(t, err, 403)
		e, err := w.admin.UpdateService(ctx, "legal_aid", map[string]any{"sla_hours": 10}, 1)
		if err != nil || e.SLAHours != 10 || e.Version != 2 {
			t.Fatalf("update %+v %v", e, err)
		}
		r := w.file(t, w.worker, map[string]any{})
		if got := r.DueAt.Sub(r.CreatedAt); got != 10*time.Hour {
			t.Fatalf("due after %s", got)
		}
		// Deleting the default and reading again does not bring it back.
		if err := w.admin.Call(ctx, "DELETE", "/api/v1/services/employment", nil, nil); client.StatusOf(err) != 428 && err != nil {
			t.Logf("delete without If-Match: %v", err)
		}
		other := w.srv.Zone("另一开发区")
		cat2, err := w.admin.Catalogue(ctx, other)
		if err != nil || len(cat2) != len(servicenet.DefaultCatalogue) || cat2[0].ZoneID != other {
			t.Fatalf("other zone's catalogue %v", err)
		}
		_, err = w.worker.Catalogue(ctx, other)
		testenv.WantStatus(t, err, 422)
	})
}

// SLA: the overdue job flags and escalates a request past its deadline,
// once; the park's staff read the escalation; the clock is the injected
// one.
func TestOverdueEscalation(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		svc := w.srv.App.Services
		r := w.file(t, w.worker, map[string]any{"service_code": "property"}) // 24 h, lands at the area point
		done := w.file(t, w.worker, map[string]any{"service_code": "property"})
		for _, a := range []string{"accept", "start", "resolve"} {
			if _, err := w.areaStaff.ActOnServiceRequest(ctx, done.ID, map[string]any{"action": a}); err != nil {
				t.Fatal(err)
			}
		}
		w.clock.Advance(23 * time.Hour)
		if n, err := svc.Sweep(ctx); err != nil || n != 0 {
			t.Fatalf("before the deadline: %d %v", n, err)
		}
		w.clock.Advance(2 * time.Hour)
		got, _ := w.admin.GetServiceRequest(ctx, r.ID)
		if !got.Overdue || got.Escalated {
			t.Fatalf("past due, before the job: %+v", got)
		}
		l, _ := w.admin.ListServiceRequests(ctx, url.Values{"overdue": {"true"}})
		if l.Total != 1 || l.Items[0].ID != r.ID {
			t.Fatalf("overdue filter %+v", l)
		}
		if n, err := svc.Sweep(ctx); err != nil || n != 1 {
			t.Fatalf("past the deadline: %d %v", n, err)
		}
		if n, err := svc.Sweep(ctx); err != nil || n != 0 {
			t.Fatalf("again: %d %v", n, err)
		}
		got, _ = w.admin.GetServiceRequest(ctx, r.ID)
		last := got.Timeline[len(got.Timeline)-1]
		if !got.Escalated || last.Action != "escalate" || last.ActorID != nil {
			t.Fatalf("escalated %+v", got)
		}
		notes, err := w.wuliAdmin.MyServiceNotifications(ctx)
		if err != nil || notes.Total != 1 || notes.Items[0].RequestID != r.ID || notes.Items[0].Kind != "overdue" {
			t.Fatalf("park admin's notifications %+v %v", notes, err)
		}
		if notes, _ := w.andongStaff.MyServiceNotifications(ctx); notes.Total != 0 {
			t.Fatalf("another park's staff see %+v", notes)
		}
		if notes, _ := w.worker.MyServiceNotifications(ctx); notes.Total != 0 {
			t.Fatalf("the worker sees %+v", notes)
		}
		// Resolved and reopened: a new deadline, escalated again when it passes.
		for _, a := range []string{"accept", "start", "resolve", "reopen"} {
			if _, err := w.areaStaff.ActOnServiceRequest(ctx, r.ID, map[string]any{"action": a}); err != nil {
				t.Fatal(err)
			}
		}
		w.clock.Advance(25 * time.Hour)
		if n, err := svc.Sweep(ctx); err != nil || n != 1 {
			t.Fatalf("after reopening: %d %v", n, err)
		}
		if n := w.srv.Count("service_notifications", "request_id = $1", r.ID); n != 2 {
			t.Fatalf("notifications %d", n)
		}
		if n := w.srv.Count("service_notifications", "request_id = $1", done.ID); n != 0 {
			t.Fatal("a resolved request was escalated")
		}
	})
}

// Two replicas on one database sweep at the same time, many times over:
// every overdue request is escalated exactly once.
func TestEscalationRunsOnceAcrossReplicas(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		const n = 40
		for i := 0; i < n; i++ {
			w.file(t, w.admin, map[string]any{"point_id": w.area.ID, "service_code": "property", "description": fmt.Sprintf("报修 %d", i)})
		}
		w.clock.Advance(48 * time.Hour)
		keys, err := secret.Derive(strings.Repeat("k", secret.MinLength))
		if err != nil {
			t.Fatal(err)
		}
		var replicas []*servicenet.Service
		for range 2 {
			d := testenv.OpenDB(t, dsn)
			d.Now = w.clock.Now
			replicas = append(replicas, &servicenet.Service{DB: d, Keys: keys, PhotoDir: os.TempDir()})
		}
		var total atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				k, err := replicas[i%2].Sweep(ctx)
				total.Add(int64(k))
				if err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if total.Load() != n || w.srv.Count("service_notifications") != n || w.srv.Count("service_request_events", "action = 'escalate'") != n {
			t.Fatalf("escalated %d, notifications %d, timeline entries %d; want %d each", total.Load(), w.srv.Count("service_notifications"),
				w.srv.Count("service_request_events", "action = 'escalate'"), n)
		}
	})
}

// Two staff acting on one request at once: one step wins, the other is a
// refused transition; the timeline holds one step.
func TestConcurrentActions(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		r := w.file(t, w.admin, map[string]any{"point_id": w.area.ID})
		var ok, conflict atomic.Int64
		var wg sync.WaitGroup
		for _, c := range []*client.Client{w.areaStaff, w.wuliAdmin, w.admin, w.areaStaff} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := c.ActOnServiceRequest(ctx, r.ID, map[string]any{"action": "accept"})
				switch client.StatusOf(err) {
				case 0:
					ok.Add(1)
				case 409:
					conflict.Add(1)
				default:
					t.Errorf("accept: %v", err)
				}
			}()
		}
		wg.Wait()
		if ok.Load() != 1 || conflict.Load() != 3 || w.srv.Count("service_request_events", "request_id = $1 AND action = 'accept'", r.ID) != 1 {
			t.Fatalf("ok %d conflict %d", ok.Load(), conflict.Load())
		}
	})
}

// Photos: images only (by their bytes), bounded in size and number,
// served only to those who may see the request.
func TestPhotos(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.StartWith(t, dsn, nil, func(c *config.Config) { c.MaxPhotoBytes = 4096 })
		admin := srv.Admin()
		park := srv.Park("五里园", "wuli")
		pt, err := admin.CreateServicePoint(ctx, map[string]any{"park_id": park.ID, "name": "邻里中心", "kind": "center", "service_codes": []string{"property"}})
		if err != nil {
			t.Fatal(err)
		}
		staff := srv.User("staff", access.ServiceStaff, pt.ID)
		worker := srv.User("worker", access.Member, srv.Enterprise(park.ID, "盼盼饮料"))
		other := srv.User("other", access.Member, srv.Enterprise(park.ID, "恒安"))
		r, err := worker.FileServiceRequest(ctx, map[string]any{"service_code": "property", "description": "宿舍漏水"})
		if err != nil {
			t.Fatal(err)
		}
		path := "/api/v1/service-requests/" + r.ID + "/photos"
		before := srv.Count("service_request_photos")
		for _, bad := range []struct {
			ct     string
			body   []byte
			status int
		}{
			{"application/octet-stream", []byte("<svg xmlns='http://www.w3.org/2000/svg'/>"), 422},
			{"application/octet-stream", []byte("%PDF-1.7"), 422},
			{"application/octet-stream", append([]byte{0xFF, 0xD8, 0xFF}, make([]byte, 5000)...), 413},
			{"image/png", servicenetapi.TinyPNG, 415},
		} {
			_, _, err := worker.Send(ctx, "POST", path, bad.ct, bad.body, nil)
			testenv.WantStatus(t, err, bad.status)
		}
		_, _, err = other.Send(ctx, "POST", path, "application/octet-stream", servicenetapi.TinyPNG, nil)
		testenv.WantStatus(t, err, 404)
		if srv.Count("service_request_photos") != before {
			t.Fatal("refused uploads stored a photo")
		}
		_, b, err := worker.Send(ctx, "POST", path, "application/octet-stream", servicenetapi.TinyPNG, nil)
		if err != nil {
			t.Fatal(err)
		}
		var ph struct {
			ContentType string `json:"content_type"`
		}
		if err := json.Unmarshal(b, &ph); err != nil || ph.ContentType != "image/png" {
			t.Fatalf("photo %s %v", b, err)
		}
		var id struct {
			ID string `json:"id"`
		}
		json.Unmarshal(b, &id)
		resp, img, err := staff.Send(ctx, "GET", "/api/v1/service-request-photos/"+id.ID, "", nil, nil)
		if err != nil || !bytes.Equal(img, servicenetapi.TinyPNG) || resp.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("staff read the photo: %v", err)
		}
		if _, _, err := other.Send(ctx, "GET", "/api/v1/service-request-photos/"+id.ID, "", nil, nil); client.StatusOf(err) != 404 {
			t.Fatalf("another worker read the photo: %v", err)
		}
		got, _ := worker.MyServiceRequests(ctx, nil)
		if len(got.Items) != 1 || len(got.Items[0].PhotoIDs) != 1 || got.Items[0].PhotoIDs[0] != id.ID {
			t.Fatalf("photo ids %+v", got.Items)
		}
		for i := 1; i < servicenet.MaxPhotos; i++ {
			if _, _, err := staff.Send(ctx, "POST", path, "application/octet-stream", servicenetapi.TinyPNG, nil); err != nil {
				t.Fatal(err)
			}
		}
		_, _, err = worker.Send(ctx, "POST", path, "application/octet-stream", servicenetapi.TinyPNG, nil)
		testenv.WantStatus(t, err, 409)
	})
}

// A worker's account bound to a person, without any grant, files for
// themselves and follows and rates their own requests.
func TestPersonBoundWorker(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		person := w.srv.Person(w.srv.ZoneID, "李德", w.srv.Enterprise(w.wuli.ID, "恒安"), "", "")
		if _, err := w.admin.CreateUser(ctx, map[string]any{"username": "lide", "password": testenv.UserPassword("lide"), "display_name": "李德",
			"person_id": person}); err != nil {
			t.Fatal(err)
		}
		li := w.srv.SignIn("lide")
		_, err := li.FileServiceRequest(ctx, map[string]any{"service_code": "legal_aid", "description": "x"})
		testenv.WantStatus(t, err, 403)
		var r client.ServiceRequest
		if err := li.Call(ctx, "POST", "/api/v1/my/service-requests", map[string]any{"service_code": "legal_aid", "description": "工伤待遇争议",
			"requester_id": "ignored", "location": map[string]any{"address": "宿舍", "lat": 24.781, "lng": 118.56}}, &r); err != nil {
			t.Fatal(err)
		}
		if r.RequesterID == nil || *r.RequesterID != person || r.PointID != w.area.ID {
			t.Fatalf("filed %+v", r)
		}
		if cat, err := li.Catalogue(ctx, ""); err != nil || len(cat) != len(servicenet.DefaultCatalogue) {
			t.Fatalf("a worker's catalogue: %v", err)
		}
		var one client.ServiceRequest
		if err := li.Call(ctx, "GET", "/api/v1/my/service-requests/"+r.ID, nil, &one); err != nil || one.ID != r.ID {
			t.Fatalf("one of mine: %v", err)
		}
		other := w.file(t, w.admin, map[string]any{"point_id": w.area.ID})
		testenv.WantStatus(t, li.Call(ctx, "GET", "/api/v1/my/service-requests/"+other.ID, nil, nil), 404)
		// Staff file one at the counter for the same person: it is theirs too.
		counter := w.file(t, w.centerStaff, map[string]any{"point_id": w.center.ID, "requester_id": person})
		mine, err := li.MyServiceRequests(ctx, nil)
		if err != nil || mine.Total != 2 || !ids(mine.Items)[counter.ID] {
			t.Fatalf("mine %+v %v", mine, err)
		}
		for _, a := range []string{"accept", "start", "resolve"} {
			if _, err := w.centerStaff.ActOnServiceRequest(ctx, counter.ID, map[string]any{"action": a}); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := li.ActOnServiceRequest(ctx, counter.ID, map[string]any{"action": "rate", "rating": 4}); err != nil || *got.Rating != 4 {
			t.Fatalf("rating %v", err)
		}
		_, err = li.ActOnServiceRequest(ctx, r.ID, map[string]any{"action": "accept"})
		testenv.WantStatus(t, err, 403)
	})
}

// On PostgreSQL the overdue job runs on river: two replicas, each with its
// own river client and pool on one database, escalate every overdue
// request exactly once.
func TestRiverEscalatesOnceWithTwoReplicas(t *testing.T) {
	for _, e := range testenv.Engines(t) {
		if !strings.HasPrefix(e.DSN, "postgres") {
			continue
		}
		t.Run(e.Name, func(t *testing.T) {
			w := newWorld(t, e.DSN)
			const n = 30
			for i := 0; i < n; i++ {
				w.file(t, w.admin, map[string]any{"point_id": w.area.ID, "service_code": "property", "description": fmt.Sprintf("报修 %d", i)})
			}
			w.clock.Advance(48 * time.Hour)
			keys, err := secret.Derive(strings.Repeat("k", secret.MinLength))
			if err != nil {
				t.Fatal(err)
			}
			log := slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))
			for i := range 2 {
				d := testenv.OpenDB(t, e.DSN)
				d.Now = w.clock.Now
				stop, err := server.RiverSweeps(ctx, e.DSN, &servicenet.Service{DB: d, Keys: keys, PhotoDir: t.TempDir()}, time.Second, log)
				if err != nil {
					t.Fatalf("replica %d: %v", i, err)
				}
				t.Cleanup(func() { stop(context.Background()) })
			}
			deadline := time.Now().Add(30 * time.Second)
			for w.srv.Count("service_notifications") < n && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			time.Sleep(2500 * time.Millisecond) // more sweeps run meanwhile (one a second), finding nothing left
			if got, events := w.srv.Count("service_notifications"), w.srv.Count("service_request_events", "action = 'escalate'"); got != n || events != n {
				t.Fatalf("notifications %d, escalate entries %d; want %d each", got, events, n)
			}
			if sweeps := w.srv.Count("river_job", "kind = 'servicenet_sweep' AND state = 'completed'"); sweeps < 3 {
				t.Fatalf("%d sweeps ran through river, want one a second", sweeps)
			}
		})
	}
}

// The queue's export and the per-point figures keep to the caller's
// scope; each request says which actions its state allows.
func TestExportAndStats(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		a := w.file(t, w.worker, map[string]any{"service_code": "property", "description": "宿舍漏水"})
		if strings.Join(a.AllowedActions, ",") != "accept,assign,reject" || a.PointName != "五里园北片区服务点" {
			t.Fatalf("allowed %v, point %q", a.AllowedActions, a.PointName)
		}
		b := w.file(t, w.worker, map[string]any{"service_code": "property", "description": "门锁损坏"})
		w.file(t, w.admin, map[string]any{"point_id": w.center.ID, "description": "中心的诉求"})
		for _, s := range []string{"accept", "start", "resolve"} {
			if _, err := w.areaStaff.ActOnServiceRequest(ctx, b.ID, map[string]any{"action": s}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.worker.ActOnServiceRequest(ctx, b.ID, map[string]any{"action": "rate", "rating": 4}); err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(30 * time.Hour)
		_, file := tabulartest.Download(t, w.areaStaff, "/api/v1/service-requests/export?format=xlsx")
		_, rows := tabulartest.ReadXLSX(t, file)
		if len(rows) != 3 || rows[0][0] != "编号" || rows[1][0] != b.ID && rows[2][0] != b.ID {
			t.Fatalf("export %v", rows)
		}
		for _, r := range rows[1:] {
			if r[3] != "五里园北片区服务点" {
				t.Fatalf("another point's request exported: %v", r)
			}
			if r[0] == a.ID && r[7] != "是" {
				t.Fatalf("overdue column %v", r)
			}
		}
		var stats struct {
			Items []struct {
				PointID   string   `json:"point_id"`
				Total     int      `json:"total"`
				Overdue   int      `json:"overdue"`
				Done      int      `json:"done"`
				RatingAvg *float64 `json:"rating_avg"`
				Ratings   []int    `json:"ratings"`
			} `json:"items"`
		}
		if err := w.areaStaff.Call(ctx, "GET", "/api/v1/service-requests/stats", nil, &stats); err != nil {
			t.Fatal(err)
		}
		if len(stats.Items) != 1 || stats.Items[0].PointID != w.area.ID || stats.Items[0].Total != 2 || stats.Items[0].Overdue != 1 ||
			stats.Items[0].Done != 1 || stats.Items[0].RatingAvg == nil || *stats.Items[0].RatingAvg != 4 || stats.Items[0].Ratings[3] != 1 {
			t.Fatalf("stats %+v", stats)
		}
		if err := w.worker.Call(ctx, "GET", "/api/v1/service-requests/stats", nil, &stats); err != nil || len(stats.Items) != 0 {
			t.Fatalf("a worker's stats %+v %v", stats, err)
		}
	})
}
