package activitiesapi_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"tongxin/internal/access"
	"tongxin/internal/client"
	"tongxin/internal/matrix"
	"tongxin/internal/testenv"
)

var ctx = context.Background()

// world: the zone with two parks; an enterprise in each; a branch of the
// Andong enterprise; Andong's park administrator; people of each park.
type world struct {
	srv          *testenv.Server
	admin        *client.Client
	andong, wuli string
	ent, wuliEnt string
	branch       string
	parkAdmin    *client.Client
	wuliAdmin    *client.Client
	people       []string // workers of the Andong enterprise
	outsider     string   // a worker of Wuli
}

func newWorld(t *testing.T, dsn string, n int) world {
	srv := testenv.Start(t, dsn)
	w := world{srv: srv, admin: srv.Admin(), andong: srv.Park("安东园", "andong").ID, wuli: srv.Park("五里园", "wuli").ID}
	w.ent, w.wuliEnt = srv.Enterprise(w.andong, "成达齿轮"), srv.Enterprise(w.wuli, "盼盼饮料")
	w.branch = srv.Org(srv.ZoneID, w.andong, "成达齿轮党支部", "branch", w.ent)
	w.parkAdmin = srv.User("andong-admin", access.ParkAdmin, w.andong)
	w.wuliAdmin = srv.User("wuli-admin", access.ParkAdmin, w.wuli)
	for i := range n {
		w.people = append(w.people, srv.Person(srv.ZoneID, fmt.Sprintf("志愿者%03d", i), w.ent, "", ""))
	}
	w.outsider = srv.Person(srv.ZoneID, "五里园工人", w.wuliEnt, "", "")
	return w
}

// member makes an account bound to person and signs it in.
func (w world) member(t *testing.T, name, person string) *client.Client {
	t.Helper()
	if _, err := w.admin.CreateUser(ctx, map[string]string{"username": name, "password": testenv.UserPassword(name), "display_name": name,
		"person_id": person}); err != nil {
		t.Fatal(err)
	}
	return w.srv.SignIn(name)
}

func rfc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// body is a valid activity of the Andong park starting at start, 3 hours
// long, with the changes in more.
func (w world) body(start time.Time, more map[string]any) map[string]any {
	b := map[string]any{"organizer_id": w.andong, "title": "河长制主题党日", "kind": "theme_day", "function": "governance",
		"starts_at": rfc(start), "ends_at": rfc(start.Add(3 * time.Hour)), "capacity": 10, "checkin_mode": "checkin",
		"location": map[string]any{"name": "沟（Kemu Creek）五里段, 河堤", "lat": 24.78, "lng": 118.55}}
	for k, v := range more {
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
	}
	return b
}

func (w world) published(t *testing.T, c *client.Client, b map[string]any) client.Activity {
	t.Helper()
	a, err := c.CreateActivity(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if a, err = c.ActivityAction(ctx, a.ID, "publish"); err != nil {
		t.Fatal(err)
	}
	return a
}

var soon = time.Now().Add(48 * time.Hour).Truncate(time.Hour)

// cell is the matrix figures of a node, function and day.
func (w world) cell(t *testing.T, node, function string, at time.Time) [3]int64 {
	t.Helper()
	var c [3]int64
	if err := w.srv.DB.R.QueryRow(`SELECT COALESCE(SUM(activities), 0), COALESCE(SUM(participants), 0), COALESCE(SUM(volunteer_minutes), 0)
		FROM matrix_facts WHERE node_id = $1 AND function = $2 AND grain = 'd' AND period = $3`, node, function, matrix.Day(at)).Scan(&c[0], &c[1], &c[2]); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestActivityCRUDFiltersAndBadInput(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn, 0)
		a, err := w.parkAdmin.CreateActivity(ctx, w.body(soon, map[string]any{"posts": []map[string]any{{"name": "采样点秩序", "capacity": 3}, {"name": "消杀", "capacity": 2}}}))
		if err != nil {
			t.Fatal(err)
		}
		if a.Level != "park" || a.ParkID == nil || *a.ParkID != w.andong || a.Status != "draft" || len(a.Posts) != 2 || a.CreditHours != 3 ||
			!a.SignupClosesAt.Equal(soon) || a.OrganizerName != "安东园" || a.Version != 1 {
			t.Fatalf("created %+v", a)
		}
		_, hdr, _ := testenv.Raw(t, w.parkAdmin, "GET", "/api/v1/activities/"+a.ID, "", nil)
		if hdr.Get("ETag") != `"1"` {
			t.Fatalf("ETag %q", hdr.Get("ETag"))
		}
		up, err := w.parkAdmin.UpdateActivity(ctx, a.ID, map[string]any{"title": "护河主题党日", "posts": []map[string]any{
			{"id": a.Posts[0].ID, "name": "采样点秩序", "capacity": 4}, {"name": "宣传", "capacity": 1}}}, 1)
		if err != nil || up.Version != 2 || up.Title != "护河主题党日" || len(up.Posts) != 2 || up.Posts[0].Capacity != 4 || up.Posts[1].Name != "宣传" {
			t.Fatalf("update %+v %v", up, err)
		}
		_, err = w.parkAdmin.UpdateActivity(ctx, a.ID, map[string]any{"title": "x"}, 1)
		testenv.WantStatus(t, err, 412)
		// An enterprise-level activity of the branch, and one of Wuli.
		br, err := w.admin.CreateActivity(ctx, w.body(soon.Add(24*time.Hour), map[string]any{"organizer_id": w.branch, "kind": "lesson", "function": "political", "title": "红色车间党课"}))
		if err != nil || br.Level != "enterprise" {
			t.Fatalf("branch activity %+v %v", br, err)
		}
		wl, err := w.wuliAdmin.CreateActivity(ctx, w.body(soon, map[string]any{"organizer_id": w.wuli, "title": "义诊"}))
		if err != nil {
			t.Fatal(err)
		}
		day := soon.In(matrix.Local).Format(time.DateOnly)
		for q, want := range map[string][]string{
			"level=park":                              {a.ID, wl.ID},
			"level=enterprise&function=political":     {br.ID},
			"park_id=" + w.wuli:                       {wl.ID},
			"from=" + day + "&to=" + day:              {a.ID, wl.ID},
			"q=" + url.QueryEscape("党课"):              {br.ID},
			"q=" + url.QueryEscape("护河"):              {a.ID},
			"organizer_id=" + w.branch:                {br.ID},
			"status=published":                        {},
			"kind=lesson&level=enterprise":            {br.ID},
			"function=governance&park_id=" + w.andong: {a.ID},
		} {
			vals, _ := url.ParseQuery(q)
			l, err := w.admin.ListActivities(ctx, vals)
			if err != nil || !sameIDs(l.Items, want) {
				t.Errorf("%s: %v %v, want %v", q, ids(l.Items), err, want)
			}
		}
		// Wuli's administrator sees only Wuli's.
		l, err := w.wuliAdmin.ListActivities(ctx, nil)
		if err != nil || !sameIDs(l.Items, []string{wl.ID}) {
			t.Fatalf("wuli admin sees %v %v", ids(l.Items), err)
		}
		_, err = w.wuliAdmin.GetActivity(ctx, a.ID)
		testenv.WantStatus(t, err, 404)
		_, err = w.admin.ListActivities(ctx, url.Values{"level": {"galaxy"}})
		testenv.WantStatus(t, err, 400)

		// Bad input: 422 naming the field, nothing written.
		rows, audits := w.srv.Count("activities"), w.srv.Count("audit_log")
		for _, tc := range []struct {
			name  string
			more  map[string]any
			field string
			c     *client.Client
		}{
			{"end before start", map[string]any{"ends_at": rfc(soon.Add(-time.Hour))}, "ends_at", w.parkAdmin},
			{"zero capacity", map[string]any{"capacity": 0}, "capacity", w.parkAdmin},
			{"negative capacity", map[string]any{"capacity": -5}, "capacity", w.parkAdmin},
			{"absurd capacity", map[string]any{"capacity": 10000000}, "capacity", w.parkAdmin},
			{"absurd hours", map[string]any{"credit_hours": 30}, "credit_hours", w.parkAdmin},
			{"negative hours", map[string]any{"credit_hours": -1}, "credit_hours", w.parkAdmin},
			{"unknown kind", map[string]any{"kind": "party"}, "kind", w.parkAdmin},
			{"unknown function", map[string]any{"function": "fun"}, "function", w.parkAdmin},
			{"unknown mode", map[string]any{"checkin_mode": "face"}, "checkin_mode", w.parkAdmin},
			{"not a time", map[string]any{"starts_at": "tomorrow"}, "starts_at", w.parkAdmin},
			{"organiser of another park", map[string]any{}, "organizer_id", w.wuliAdmin},
			{"unknown organiser", map[string]any{"organizer_id": "nope"}, "organizer_id", w.parkAdmin},
			{"an enterprise organises nothing", map[string]any{"organizer_id": w.ent}, "organizer_id", w.parkAdmin},
			{"geofence without place", map[string]any{"location": nil, "geofence_m": 100}, "geofence_m", w.parkAdmin},
			{"post without capacity", map[string]any{"posts": []map[string]any{{"name": "消杀"}}}, "posts.0.capacity", w.parkAdmin},
			{"post with negative capacity", map[string]any{"posts": []map[string]any{{"name": "消杀", "capacity": -1}}}, "posts.0.capacity", w.parkAdmin},
			{"sign-up closing after the end", map[string]any{"signup_closes_at": rfc(soon.Add(5 * time.Hour))}, "signup_closes_at", w.parkAdmin},
		} {
			c := tc.c
			_, err := c.CreateActivity(ctx, w.body(soon, tc.more))
			p := testenv.Problem(err)
			if client.StatusOf(err) != 422 || len(p.Errors) == 0 || p.Errors[0].Field != tc.field || p.Errors[0].Message == "" {
				t.Errorf("%s: %v %+v", tc.name, err, p)
			}
		}
		if w.srv.Count("activities") != rows || w.srv.Count("audit_log") != audits {
			t.Fatal("bad input changed the data")
		}
		en := w.srv.SignIn("andong-admin")
		en.Lang = "en"
		_, err = en.CreateActivity(ctx, w.body(soon, map[string]any{"ends_at": rfc(soon)}))
		if p := testenv.Problem(err); len(p.Errors) == 0 || !strings.Contains(p.Errors[0].Message, "after the start") {
			t.Errorf("english: %+v", p)
		}
		// A capacity below the registered count, and a post with sign-ups removed.
		pub := w.published(t, w.parkAdmin, w.body(soon, map[string]any{"capacity": 2}))
		p1 := w.srv.Person(w.srv.ZoneID, "甲", w.ent, "", "")
		p2 := w.srv.Person(w.srv.ZoneID, "乙", w.ent, "", "")
		for _, p := range []string{p1, p2} {
			if _, err := w.parkAdmin.SignUp(ctx, pub.ID, map[string]any{"person_id": p}); err != nil {
				t.Fatal(err)
			}
		}
		_, err = w.parkAdmin.UpdateActivity(ctx, pub.ID, map[string]any{"capacity": 1}, 0)
		testenv.WantStatus(t, err, 422)
		// Drafts delete; published activities do not.
		testenv.WantStatus(t, w.parkAdmin.DeleteActivity(ctx, pub.ID, 0), 409)
		if err := w.parkAdmin.DeleteActivity(ctx, a.ID, 0); err != nil {
			t.Fatal(err)
		}
	})
}

func ids(as []client.Activity) []string {
	out := []string{}
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

func sameIDs(as []client.Activity, want []string) bool {
	got := ids(as)
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	return slices.Equal(got, want)
}

// Many people sign up at once for the last places (of the activity, and of
// a post): never more registered than capacity, the rest waitlisted in
// distinct positions.
func TestSignupRaceNeverExceedsCapacity(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		const n = 40
		w := newWorld(t, dsn, n)
		a := w.published(t, w.parkAdmin, w.body(soon, map[string]any{"capacity": 7,
			"posts": []map[string]any{{"name": "采样点秩序", "capacity": 3}, {"name": "入户调查", "capacity": 10}}}))
		var wg sync.WaitGroup
		errs := make(chan error, n)
		answers := make([]client.Signup, n)
		for i, p := range w.people {
			wg.Add(1)
			go func() {
				defer wg.Done()
				post := a.Posts[i%2].ID
				var err error
				answers[i], err = w.parkAdmin.SignUp(ctx, a.ID, map[string]any{"person_id": p, "post_id": post})
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		// Each answer says what was stored: the status, and for the
		// waitlisted the place they were given, each place once per post.
		places := map[string]bool{}
		registered := 0
		for _, x := range answers {
			if x.Status == "registered" {
				registered++
				continue
			}
			if x.Position == nil || x.PostID == nil || places[*x.PostID+strconv.Itoa(*x.Position)] {
				t.Fatalf("waitlisted answer %+v: no place, or a place given twice", x)
			}
			places[*x.PostID+strconv.Itoa(*x.Position)] = true
		}
		if registered != 7 {
			t.Fatalf("%d answers say registered, want 7", registered)
		}
		got, err := w.admin.GetActivity(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		// The activity's 7 places fill up however the two posts share them,
		// never more than 3 on the first.
		if got.Registered != 7 || got.Waitlisted != n-7 || got.Posts[0].Registered > 3 || got.Posts[0].Registered+got.Posts[1].Registered != 7 {
			t.Fatalf("registered %d (posts %d, %d), waitlisted %d", got.Registered, got.Posts[0].Registered, got.Posts[1].Registered, got.Waitlisted)
		}
		for _, post := range a.Posts {
			l, err := w.admin.ListSignups(ctx, a.ID, url.Values{"status": {"waitlisted"}, "post_id": {post.ID}, "limit": {"200"}})
			if err != nil {
				t.Fatal(err)
			}
			for i, x := range l.Items {
				if x.Position == nil || *x.Position != i+1 {
					t.Fatalf("waitlist of %s: item %d at position %v", post.Name, i, x.Position)
				}
				if !places[post.ID+strconv.Itoa(i+1)] {
					t.Fatalf("waitlist of %s: place %d was never answered", post.Name, i+1)
				}
			}
		}
	})
}

func TestWaitlistCancelAndPromotion(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn, 5)
		a := w.published(t, w.parkAdmin, w.body(soon, map[string]any{"capacity": 2}))
		var s []client.Signup
		for _, p := range w.people[:4] {
			x, err := w.parkAdmin.SignUp(ctx, a.ID, map[string]any{"person_id": p})
			if err != nil {
				t.Fatal(err)
			}
			s = append(s, x)
		}
		if s[0].Status != "registered" || s[1].Status != "registered" || s[2].Status != "waitlisted" || *s[2].Position != 1 || *s[3].Position != 2 {
			t.Fatalf("sign-ups %+v", s)
		}
		_, err := w.parkAdmin.SignUp(ctx, a.ID, map[string]any{"person_id": w.people[0]})
		testenv.WantStatus(t, err, 409)
		// The outsider is beyond the organiser's reach.
		_, err = w.parkAdmin.SignUp(ctx, a.ID, map[string]any{"person_id": w.outsider})
		if p := testenv.Problem(err); client.StatusOf(err) != 422 || p.Errors[0].Field != "person_id" {
			t.Fatalf("outsider: %v", err)
		}
		// Wuli's administrator cannot sign anyone up here.
		_, err = w.wuliAdmin.SignUp(ctx, a.ID, map[string]any{"person_id": w.people[4]})
		testenv.WantStatus(t, err, 404)
		audits := w.srv.Count("audit_log")
		if err := w.parkAdmin.CancelSignup(ctx, a.ID, s[0].ID); err != nil {
			t.Fatal(err)
		}
		if w.srv.Count("audit_log") != audits+2 {
			t.Fatal("cancel and promotion not both audited")
		}
		l, err := w.admin.ListSignups(ctx, a.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		status := map[string]client.Signup{}
		for _, x := range l.Items {
			status[x.PersonID] = x
		}
		if status[w.people[2]].Status != "registered" || status[w.people[3]].Status != "waitlisted" || *status[w.people[3]].Position != 1 {
			t.Fatalf("after cancel: %+v", l.Items)
		}
		// Raising the capacity promotes the rest.
		if _, err := w.parkAdmin.UpdateActivity(ctx, a.ID, map[string]any{"capacity": 5}, 0); err != nil {
			t.Fatal(err)
		}
		if got, _ := w.admin.GetActivity(ctx, a.ID); got.Registered != 3 || got.Waitlisted != 0 {
			t.Fatalf("after raising: %d registered %d waitlisted", got.Registered, got.Waitlisted)
		}
		// Drafts, cancelled activities and closed sign-ups take nobody.
		draft, err := w.parkAdmin.CreateActivity(ctx, w.body(soon, nil))
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.parkAdmin.SignUp(ctx, draft.ID, map[string]any{"person_id": w.people[4]})
		testenv.WantStatus(t, err, 409)
		closed := w.published(t, w.parkAdmin, w.body(soon, map[string]any{"signup_closes_at": rfc(time.Now().Add(-time.Hour))}))
		_, err = w.parkAdmin.SignUp(ctx, closed.ID, map[string]any{"person_id": w.people[4]})
		testenv.WantStatus(t, err, 409)
		// ... except a walk-up the organiser adds.
		x, err := w.parkAdmin.SignUp(ctx, closed.ID, map[string]any{"person_id": w.people[4], "walk_up": true})
		if err != nil || !x.WalkUp || x.Status != "registered" {
			t.Fatalf("walk-up %+v %v", x, err)
		}
		if _, err := w.parkAdmin.ActivityAction(ctx, closed.ID, "cancel"); err != nil {
			t.Fatal(err)
		}
		_, err = w.parkAdmin.SignUp(ctx, closed.ID, map[string]any{"person_id": w.people[3]})
		testenv.WantStatus(t, err, 409)
		// A completed activity takes nobody either; refused sign-ups change nothing.
		done := w.published(t, w.parkAdmin, w.body(soon, nil))
		if _, err := w.parkAdmin.ActivityAction(ctx, done.ID, "complete"); err != nil {
			t.Fatal(err)
		}
		signups, audits := w.srv.Count("activity_signups"), w.srv.Count("audit_log")
		for _, aid := range []string{done.ID, closed.ID, draft.ID} {
			_, err := w.parkAdmin.SignUp(ctx, aid, map[string]any{"person_id": w.people[3]})
			testenv.WantStatus(t, err, 409)
		}
		if w.srv.Count("activity_signups") != signups || w.srv.Count("audit_log") != audits {
			t.Fatal("a refused sign-up changed the data")
		}
		// Posts: a post must be named when there are some.
		posted := w.published(t, w.parkAdmin, w.body(soon, map[string]any{"posts": []map[string]any{{"name": "消杀", "capacity": 1}}}))
		_, err = w.parkAdmin.SignUp(ctx, posted.ID, map[string]any{"person_id": w.people[0]})
		if client.StatusOf(err) != 422 || testenv.Problem(err).Errors[0].Field != "post_id" {
			t.Fatalf("no post: %v", err)
		}
	})
}

func TestSelfServiceSeesOnlyOwnRecords(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn, 2)
		me := w.member(t, "vol0", w.people[0])
		ours := w.published(t, w.parkAdmin, w.body(soon, map[string]any{"cancel_closes_at": rfc(soon.Add(-time.Hour))}))
		theirs := w.published(t, w.wuliAdmin, w.body(soon, map[string]any{"organizer_id": w.wuli}))
		late := w.published(t, w.parkAdmin, w.body(soon, map[string]any{"cancel_closes_at": rfc(time.Now().Add(-time.Minute))}))
		l, err := me.OpenActivities(ctx, nil)
		if err != nil || !sameIDs(l.Items, []string{ours.ID, late.ID}) {
			t.Fatalf("open to me: %v %v", ids(l.Items), err)
		}
		x, err := me.SignUp(ctx, ours.ID, map[string]any{"person_id": w.people[0]})
		if err != nil || x.Status != "registered" {
			t.Fatalf("self sign-up %+v %v", x, err)
		}
		// Someone else, or an activity not open to me: never revealed.
		_, err = me.SignUp(ctx, ours.ID, map[string]any{"person_id": w.people[1]})
		testenv.WantStatus(t, err, 404)
		_, err = me.SignUp(ctx, theirs.ID, map[string]any{"person_id": w.people[0]})
		testenv.WantStatus(t, err, 404)
		_, err = me.ListSignups(ctx, ours.ID, nil)
		testenv.WantStatus(t, err, 403)
		_, err = me.ListActivities(ctx, nil)
		testenv.WantStatus(t, err, 403)
		_, err = me.PersonHours(ctx, w.people[1])
		testenv.WantStatus(t, err, 404)
		if h, err := me.PersonHours(ctx, w.people[0]); err != nil || h.TotalHours != 0 {
			t.Fatalf("own hours %+v %v", h, err)
		}
		mine, err := me.MySignups(ctx)
		if err != nil || len(mine) != 1 || mine[0].Activity.ID != ours.ID {
			t.Fatalf("my sign-ups %+v %v", mine, err)
		}
		// Self-cancel until the cut-off; the organiser still can after it.
		if err := me.CancelSignup(ctx, ours.ID, x.ID); err != nil {
			t.Fatal(err)
		}
		y, err := me.SignUp(ctx, late.ID, map[string]any{"person_id": w.people[0]})
		if err != nil {
			t.Fatal(err)
		}
		testenv.WantStatus(t, me.CancelSignup(ctx, late.ID, y.ID), 409)
		if err := w.parkAdmin.CancelSignup(ctx, late.ID, y.ID); err != nil {
			t.Fatal(err)
		}
		// Walk-ups are the organiser's.
		_, err = me.SignUp(ctx, late.ID, map[string]any{"person_id": w.people[0], "walk_up": true})
		testenv.WantStatus(t, err, 422)
	})
}

// withClock runs fn with the server's clock at at.
func withClock(w world, at time.Time, fn func()) {
	old := w.srv.DB.Now
	w.srv.DB.Now = func() time.Time { return at }
	defer func() { w.srv.DB.Now = old }()
	fn()
}

func TestCheckinModesAndCodes(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn, 4)
		start := time.Now().Add(10 * time.Minute).Truncate(time.Minute)
		mk := func(mode string, more map[string]any) client.Activity {
			b := w.body(start, map[string]any{"checkin_mode": mode, "ends_at": rfc(start.Add(time.Hour)), "credit_hours": 1,
				"signup_closes_at": rfc(start.Add(time.Hour))})
			for k, v := range more {
				b[k] = v
			}
			a := w.published(t, w.parkAdmin, b)
			for _, p := range w.people[:3] {
				if _, err := w.parkAdmin.SignUp(ctx, a.ID, map[string]any{"person_id": p}); err != nil {
					t.Fatal(err)
				}
			}
			return a
		}
		me := w.member(t, "vol0", w.people[0])
		code := func(a client.Activity) string {
			c, err := w.parkAdmin.MintCheckinCode(ctx, a.ID, map[string]any{"ttl_seconds": 120})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(c.CheckinURL, "/m/checkin?code=") || !strings.HasSuffix(c.QRURL, "/qr") {
				t.Fatalf("code %+v", c)
			}
			return c.Code
		}
		hours := func(a client.Activity) map[string]float64 {
			l, err := w.admin.ListSignups(ctx, a.ID, nil)
			if err != nil {
				t.Fatal(err)
			}
			m := map[string]float64{}
			for _, x := range l.Items {
				if x.Hours != nil {
					m[x.PersonID] = *x.Hours
				}
			}
			return m
		}

		// auto: everyone registered is credited.
		auto := mk("auto", nil)
		if _, err := w.parkAdmin.ActivityAction(ctx, auto.ID, "complete"); err != nil {
			t.Fatal(err)
		}
		if h := hours(auto); len(h) != 3 || h[w.people[2]] != 1 {
			t.Fatalf("auto %v", h)
		}
		// checkin: those who checked in (the person themselves, or an organiser for them).
		ci := mk("checkin", nil)
		c := code(ci)
		if x, err := me.CheckIn(ctx, map[string]any{"code": c, "person_id": w.people[0]}); err != nil || x.Action != "check_in" {
			t.Fatalf("self check-in %+v %v", x, err)
		}
		_, err := me.CheckIn(ctx, map[string]any{"code": c, "person_id": w.people[0]})
		testenv.WantStatus(t, err, 409)
		_, err = me.CheckIn(ctx, map[string]any{"code": c, "person_id": w.people[1]})
		testenv.WantStatus(t, err, 404)
		if _, err := w.parkAdmin.CheckIn(ctx, map[string]any{"code": c, "person_id": w.people[1]}); err != nil {
			t.Fatal(err)
		}
		// Not signed up: 409; forged, foreign, expired codes: 422 naming code.
		_, err = w.parkAdmin.CheckIn(ctx, map[string]any{"code": c, "person_id": w.people[3]})
		testenv.WantStatus(t, err, 409)
		rows := w.srv.Count("activity_signups", "checked_in_at IS NOT NULL")
		forged := c[:len(c)-3] + "AAA"
		if forged == c {
			forged = c[:len(c)-3] + "BBB"
		}
		other := code(auto2(t, w, mk))
		for name, body := range map[string]map[string]any{
			"forged":         {"code": forged, "person_id": w.people[2]},
			"garbage":        {"code": "hello", "person_id": w.people[2]},
			"other activity": {"code": other, "person_id": w.people[2], "activity_id": ci.ID},
			"tampered id":    {"code": strings.Replace(c, ci.ID, auto.ID, 1), "person_id": w.people[2]},
		} {
			_, err := w.parkAdmin.CheckIn(ctx, body)
			if p := testenv.Problem(err); client.StatusOf(err) != 422 || p.Errors[0].Field != "code" {
				t.Errorf("%s: %v", name, err)
			}
		}
		withClock(w, time.Now().Add(3*time.Minute), func() {
			_, err := w.parkAdmin.CheckIn(ctx, map[string]any{"code": c, "person_id": w.people[2]})
			if p := testenv.Problem(err); client.StatusOf(err) != 422 || p.Errors[0].Code != "expired_code" {
				t.Errorf("expired: %v", err)
			}
		})
		if w.srv.Count("activity_signups", "checked_in_at IS NOT NULL") != rows {
			t.Fatal("a refused code checked someone in")
		}
		if _, err := w.parkAdmin.ActivityAction(ctx, ci.ID, "complete"); err != nil {
			t.Fatal(err)
		}
		if h := hours(ci); len(h) != 2 || h[w.people[0]] != 1 || h[w.people[1]] != 1 {
			t.Fatalf("checkin %v", h)
		}
		_, err = w.parkAdmin.CheckIn(ctx, map[string]any{"code": c, "person_id": w.people[2]})
		testenv.WantStatus(t, err, 409) // completed

		// checkin_checkout: the time between, capped at the activity's length.
		co := mk("checkin_checkout", nil)
		var cc string
		withClock(w, start.Add(-20*time.Minute), func() {
			cc = code(co)
			if _, err := w.parkAdmin.CheckIn(ctx, map[string]any{"code": cc, "person_id": w.people[0]}); err != nil {
				t.Fatal(err)
			}
			_, err := w.parkAdmin.CheckIn(ctx, map[string]any{"code": cc, "person_id": w.people[2], "action": "check_out"})
			testenv.WantStatus(t, err, 409) // check-out before check-in
		})
		withClock(w, start.Add(10*time.Minute), func() {
			if _, err := w.parkAdmin.CheckIn(ctx, map[string]any{"code": code(co), "person_id": w.people[1]}); err != nil {
				t.Fatal(err)
			}
		})
		withClock(w, start.Add(40*time.Minute), func() {
			x, err := w.parkAdmin.CheckIn(ctx, map[string]any{"code": code(co), "person_id": w.people[1]})
			if err != nil || x.Action != "check_out" {
				t.Fatalf("check-out %+v %v", x, err)
			}
		})
		withClock(w, start.Add(90*time.Minute), func() {
			if _, err := w.parkAdmin.CheckIn(ctx, map[string]any{"code": code(co), "person_id": w.people[0], "action": "check_out"}); err != nil {
				t.Fatal(err)
			}
		})
		if _, err := w.parkAdmin.ActivityAction(ctx, co.ID, "complete"); err != nil {
			t.Fatal(err)
		}
		if h := hours(co); len(h) != 2 || h[w.people[0]] != 1 || h[w.people[1]] != 0.5 {
			t.Fatalf("checkin_checkout %v", h)
		}

		// manual: nobody until the organiser enters hours (flagged manual),
		// a walk-up included.
		man := mk("manual", nil)
		if _, err := w.parkAdmin.ActivityAction(ctx, man.ID, "complete"); err != nil {
			t.Fatal(err)
		}
		if h := hours(man); len(h) != 0 {
			t.Fatalf("manual before entry %v", h)
		}
		x, err := w.parkAdmin.EnterHours(ctx, man.ID, w.people[3], map[string]any{"hours": 0.75, "note": "现场加入"})
		if err != nil || !x.Manual || !x.WalkUp || *x.Hours != 0.75 {
			t.Fatalf("manual entry %+v %v", x, err)
		}
		for _, h := range []float64{-1, 1.5, 1000} {
			_, err := w.parkAdmin.EnterHours(ctx, man.ID, w.people[0], map[string]any{"hours": h})
			testenv.WantStatus(t, err, 422)
		}
		_, err = w.parkAdmin.EnterHours(ctx, man.ID, w.outsider, map[string]any{"hours": 1})
		testenv.WantStatus(t, err, 422)

		// A geofence: the scanner's position must lie within it.
		geo := mk("checkin", map[string]any{"geofence_m": 200})
		gc := code(geo)
		_, err = w.parkAdmin.CheckIn(ctx, map[string]any{"code": gc, "person_id": w.people[0]})
		testenv.WantStatus(t, err, 422)
		_, err = w.parkAdmin.CheckIn(ctx, map[string]any{"code": gc, "person_id": w.people[0], "lat": 24.80, "lng": 118.55})
		if p := testenv.Problem(err); client.StatusOf(err) != 422 || p.Errors[0].Code != "outside_geofence" {
			t.Fatalf("outside: %v", err)
		}
		if _, err := w.parkAdmin.CheckIn(ctx, map[string]any{"code": gc, "person_id": w.people[0], "lat": 24.7805, "lng": 118.5502}); err != nil {
			t.Fatal(err)
		}
		// The QR image is a PNG of the check-in address.
		status, hdr, body := testenv.Raw(t, w.parkAdmin, "GET", "/api/v1/activities/"+geo.ID+"/checkin-codes/"+url.PathEscape(gc)+"/qr", "", nil)
		if status != 200 || hdr.Get("Content-Type") != "image/png" || !strings.HasPrefix(body, "\x89PNG") {
			t.Fatalf("qr: %d %s", status, hdr.Get("Content-Type"))
		}
		status, _, _ = testenv.Raw(t, w.parkAdmin, "GET", "/api/v1/activities/"+ci.ID+"/checkin-codes/"+url.PathEscape(gc)+"/qr", "", nil)
		if status != 422 {
			t.Fatalf("qr of another activity's code: %d", status)
		}
	})
}

// auto2 is a second published activity, for another activity's code.
func auto2(t *testing.T, w world, mk func(string, map[string]any) client.Activity) client.Activity {
	return mk("auto", map[string]any{"title": "另一活动"})
}

// The matrix follows a sequence of publish, cancel, credit, correction and
// move, against hand-counted figures.
func TestMatrixFactsFollowTheRecords(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn, 3)
		start := time.Now().Add(10 * time.Minute).Truncate(time.Minute)
		b := func(more map[string]any) map[string]any {
			m := w.body(start, map[string]any{"ends_at": rfc(start.Add(2 * time.Hour)), "credit_hours": 2, "checkin_mode": "auto",
				"signup_closes_at": rfc(start.Add(time.Hour))})
			for k, v := range more {
				m[k] = v
			}
			return m
		}
		want := func(node, fn string, at time.Time, acts, parts, minutes int64) {
			t.Helper()
			if got := w.cell(t, node, fn, at); got != [3]int64{acts, parts, minutes} {
				t.Fatalf("%s/%s: %v, want %v", node, fn, got, [3]int64{acts, parts, minutes})
			}
		}
		// A draft counts nothing; publishing counts one activity.
		a, err := w.parkAdmin.CreateActivity(ctx, b(nil))
		if err != nil {
			t.Fatal(err)
		}
		want(w.andong, "governance", start, 0, 0, 0)
		if _, err := w.parkAdmin.ActivityAction(ctx, a.ID, "publish"); err != nil {
			t.Fatal(err)
		}
		want(w.andong, "governance", start, 1, 0, 0)
		// A second one published then cancelled: back to one.
		c := w.published(t, w.parkAdmin, b(nil))
		want(w.andong, "governance", start, 2, 0, 0)
		if _, err := w.parkAdmin.ActivityAction(ctx, c.ID, "cancel"); err != nil {
			t.Fatal(err)
		}
		want(w.andong, "governance", start, 1, 0, 0)
		// Moving the function and the day moves the count.
		later := start.Add(48 * time.Hour)
		if _, err := w.parkAdmin.UpdateActivity(ctx, a.ID, map[string]any{"function": "service", "starts_at": rfc(later),
			"ends_at": rfc(later.Add(2 * time.Hour)), "signup_closes_at": rfc(later)}, 0); err != nil {
			t.Fatal(err)
		}
		want(w.andong, "governance", start, 0, 0, 0)
		want(w.andong, "service", later, 1, 0, 0)
		// Moving the organiser to the branch moves it to the enterprise level.
		if _, err := w.admin.UpdateActivity(ctx, a.ID, map[string]any{"organizer_id": w.branch}, 0); err != nil {
			t.Fatal(err)
		}
		want(w.andong, "service", later, 0, 0, 0)
		want(w.branch, "service", later, 1, 0, 0)
		// Three sign-ups credited 2 h each at completion.
		for _, p := range w.people {
			if _, err := w.admin.SignUp(ctx, a.ID, map[string]any{"person_id": p}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.admin.ActivityAction(ctx, a.ID, "complete"); err != nil {
			t.Fatal(err)
		}
		want(w.branch, "service", later, 1, 3, 360)
		// A correction to 1.5 h approved: −30 minutes; one to 0 h takes a participant back.
		corr, err := w.admin.RequestCorrection(ctx, a.ID, map[string]any{"person_id": w.people[0], "hours": 1.5, "reason": "提前离开"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.admin.DecideCorrection(ctx, a.ID, corr.ID, map[string]any{"decision": "approve"}); err != nil {
			t.Fatal(err)
		}
		want(w.branch, "service", later, 1, 3, 330)
		corr, err = w.admin.RequestCorrection(ctx, a.ID, map[string]any{"person_id": w.people[1], "hours": 0, "reason": "未到场"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.admin.DecideCorrection(ctx, a.ID, corr.ID, map[string]any{"decision": "approve"}); err != nil {
			t.Fatal(err)
		}
		want(w.branch, "service", later, 1, 2, 210)
		// A rejected correction changes nothing; a manual entry adds.
		corr, err = w.admin.RequestCorrection(ctx, a.ID, map[string]any{"person_id": w.people[2], "hours": 2, "reason": "无变化"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.admin.DecideCorrection(ctx, a.ID, corr.ID, map[string]any{"decision": "reject"}); err != nil {
			t.Fatal(err)
		}
		want(w.branch, "service", later, 1, 2, 210)
		if _, err := w.admin.EnterHours(ctx, a.ID, w.people[1], map[string]any{"hours": 1}); err != nil {
			t.Fatal(err)
		}
		want(w.branch, "service", later, 1, 3, 270)
		// The totals equal the records.
		var acts, parts, minutes int64
		if err := w.srv.DB.R.QueryRow(`SELECT SUM(activities), SUM(participants), SUM(volunteer_minutes) FROM matrix_facts WHERE grain = 'd'`).Scan(&acts, &parts, &minutes); err != nil {
			t.Fatal(err)
		}
		var recParts, recMinutes int64
		if err := w.srv.DB.R.QueryRow(`SELECT COUNT(*), SUM(credited_minutes) FROM activity_signups WHERE credited_minutes > 0`).Scan(&recParts, &recMinutes); err != nil {
			t.Fatal(err)
		}
		if acts != 1 || parts != recParts || minutes != recMinutes {
			t.Fatalf("totals %d %d %d vs records %d %d", acts, parts, minutes, recParts, recMinutes)
		}
	})
}

func TestHoursCorrectionsCertificate(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn, 2)
		me := w.member(t, "vol0", w.people[0])
		start := time.Now().Add(10 * time.Minute).Truncate(time.Minute)
		a := w.published(t, w.parkAdmin, w.body(start, map[string]any{"checkin_mode": "auto", "credit_hours": 2.5, "signup_closes_at": rfc(start),
			"title": "疫情防控志愿服务", "description": "采样点秩序维护"}))
		x, err := me.SignUp(ctx, a.ID, map[string]any{"person_id": w.people[0]})
		if err != nil {
			t.Fatal(err)
		}
		// No correction before completion.
		_, err = me.RequestCorrection(ctx, a.ID, map[string]any{"person_id": w.people[0], "hours": 3, "reason": "x"})
		testenv.WantStatus(t, err, 409)
		if _, err := w.parkAdmin.ActivityAction(ctx, a.ID, "complete"); err != nil {
			t.Fatal(err)
		}
		h, err := me.PersonHours(ctx, w.people[0])
		if err != nil || h.TotalHours != 2.5 || len(h.Records) != 1 || h.Records[0].Title != "疫情防控志愿服务" || h.Records[0].Date != start.In(matrix.Local).Format(time.DateOnly) {
			t.Fatalf("hours %+v %v", h, err)
		}
		if h2, err := w.parkAdmin.PersonHours(ctx, w.people[0]); err != nil || h2.TotalHours != 2.5 {
			t.Fatalf("staff view %+v %v", h2, err)
		}
		_, err = w.wuliAdmin.PersonHours(ctx, w.people[0])
		testenv.WantStatus(t, err, 404)
		// Bad corrections change nothing.
		rows := w.srv.Count("activity_corrections")
		for _, body := range []map[string]any{
			{"person_id": w.people[0], "hours": -1, "reason": "x"},
			{"person_id": w.people[0], "hours": 99, "reason": "x"},
			{"person_id": w.people[0], "hours": 3, "reason": ""},
		} {
			_, err := me.RequestCorrection(ctx, a.ID, body)
			testenv.WantStatus(t, err, 422)
		}
		_, err = me.RequestCorrection(ctx, a.ID, map[string]any{"person_id": w.people[1], "hours": 3, "reason": "x"})
		testenv.WantStatus(t, err, 404)
		if w.srv.Count("activity_corrections") != rows {
			t.Fatal("bad corrections were stored")
		}
		c, err := me.RequestCorrection(ctx, a.ID, map[string]any{"person_id": w.people[0], "hours": 3, "reason": "签退时手机没电"})
		if err != nil || c.Status != "pending" || c.PreviousHours == nil || *c.PreviousHours != 2.5 {
			t.Fatalf("request %+v %v", c, err)
		}
		_, err = me.RequestCorrection(ctx, a.ID, map[string]any{"person_id": w.people[0], "hours": 3, "reason": "again"})
		testenv.WantStatus(t, err, 409)
		q, err := w.parkAdmin.ListCorrections(ctx, url.Values{"status": {"pending"}})
		if err != nil || len(q.Items) != 1 || q.Items[0].ID != c.ID {
			t.Fatalf("queue %+v %v", q, err)
		}
		if q, _ := w.wuliAdmin.ListCorrections(ctx, nil); len(q.Items) != 0 {
			t.Fatal("another park sees the queue")
		}
		_, err = w.parkAdmin.DecideCorrection(ctx, a.ID, c.ID, map[string]any{"decision": "maybe"})
		testenv.WantStatus(t, err, 422)
		d, err := w.parkAdmin.DecideCorrection(ctx, a.ID, c.ID, map[string]any{"decision": "approve", "note": "核实属实"})
		if err != nil || d.Status != "approved" || d.DecidedBy == nil || d.DecisionNote != "核实属实" {
			t.Fatalf("decide %+v %v", d, err)
		}
		_, err = w.parkAdmin.DecideCorrection(ctx, a.ID, c.ID, map[string]any{"decision": "reject"})
		testenv.WantStatus(t, err, 409)
		if h, _ := me.PersonHours(ctx, w.people[0]); h.TotalHours != 3 {
			t.Fatalf("after correction %+v", h)
		}
		// The certificate: the volunteer and the organiser, nobody else.
		path := "/api/v1/activities/" + a.ID + "/signups/" + x.ID + "/certificate"
		status, hdr, body := testenv.Raw(t, me, "GET", path, "", nil)
		if status != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") {
			t.Fatalf("certificate: %d", status)
		}
		for _, s := range []string{"@page", "size: A4", "志愿服务证明", "志愿者000", "3 小时", "疫情防控志愿服务", "采样点秩序维护", "安东园", "TXZY-"} {
			if !strings.Contains(body, s) {
				t.Errorf("certificate lacks %q", s)
			}
		}
		if status, _, _ := testenv.Raw(t, w.parkAdmin, "GET", path, "", nil); status != 200 {
			t.Fatalf("organiser's certificate view: %d", status)
		}
		other := w.member(t, "vol1", w.people[1])
		for _, c := range []*client.Client{other, w.wuliAdmin} {
			if status, _, _ := testenv.Raw(t, c, "GET", path, "", nil); status != 404 {
				t.Fatalf("someone else's certificate: %d", status)
			}
		}
		// The attendance export.
		status, hdr, _ = testenv.Raw(t, w.parkAdmin, "GET", "/api/v1/activities/"+a.ID+"/attendance?format=csv", "", nil)
		if status != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") {
			t.Fatalf("attendance: %d %s", status, hdr.Get("Content-Type"))
		}
	})
}

func TestCalendarFeeds(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn, 1)
		me := w.member(t, "vol0", w.people[0])
		a := w.published(t, w.parkAdmin, w.body(soon, map[string]any{"title": "党史学习, 社区“快乐成长”; 第1期", "description": "第一行\n第二行"}))
		if _, err := me.SignUp(ctx, a.ID, map[string]any{"person_id": w.people[0]}); err != nil {
			t.Fatal(err)
		}
		var tok struct {
			Token string `json:"token"`
			URL   string `json:"url"`
		}
		if err := me.Call(ctx, "POST", "/api/v1/me/calendar-token", nil, &tok); err != nil {
			t.Fatal(err)
		}
		anon := w.srv.Client()
		fetch := func(path string, c *client.Client) (int, string) {
			status, hdr, body := testenv.Raw(t, c, "GET", path, "", nil)
			if status == 200 && !strings.HasPrefix(hdr.Get("Content-Type"), "text/calendar") {
				t.Fatalf("content type %q", hdr.Get("Content-Type"))
			}
			return status, body
		}
		status, body := fetch(tok.URL, anon)
		if status != 200 {
			t.Fatalf("feed: %d", status)
		}
		cal, err := ics.ParseCalendar(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		evs := cal.Events()
		if len(evs) != 1 {
			t.Fatalf("%d events", len(evs))
		}
		ev := evs[0]
		prop := func(p ics.ComponentProperty) string {
			if x := ev.GetProperty(p); x != nil {
				return x.Value
			}
			return ""
		}
		if ev.Id() != a.ID+"@activities.tongxin" || prop(ics.ComponentPropertyDtstamp) == "" || prop(ics.ComponentPropertySummary) != "党史学习, 社区“快乐成长”; 第1期" ||
			prop(ics.ComponentPropertyLocation) != "沟（Kemu Creek）五里段, 河堤" || !strings.HasSuffix(prop(ics.ComponentPropertyDtStart), "Z") {
			t.Fatalf("event %q %q %q %q", ev.Id(), prop(ics.ComponentPropertySummary), prop(ics.ComponentPropertyLocation), prop(ics.ComponentPropertyDtStart))
		}
		if !strings.Contains(body, `党史学习\, 社区“快乐成长”\; 第1期`) || !strings.Contains(body, "VERSION:2.0") || !strings.Contains(body, "PRODID:") {
			t.Fatalf("escaping or header:\n%s", body)
		}
		for _, line := range strings.Split(body, "\r\n") {
			if len(line) > 75 {
				t.Fatalf("unfolded line of %d octets: %q", len(line), line)
			}
		}
		// The UID stays when the activity changes.
		if _, err := w.parkAdmin.UpdateActivity(ctx, a.ID, map[string]any{"title": "党史学习"}, 0); err != nil {
			t.Fatal(err)
		}
		_, body = fetch(tok.URL, anon)
		cal, _ = ics.ParseCalendar(strings.NewReader(body))
		if cal.Events()[0].Id() != ev.Id() {
			t.Fatal("UID changed")
		}
		// The organisation's feed, within scope.
		if status, body := fetch("/api/v1/activity-calendar?organizer_id="+w.andong, w.parkAdmin); status != 200 || !strings.Contains(body, a.ID) {
			t.Fatalf("org feed %d", status)
		}
		if status, _ := fetch("/api/v1/activity-calendar?organizer_id="+w.andong, w.wuliAdmin); status != 404 {
			t.Fatalf("other park's feed %d", status)
		}
		// Regenerating revokes the old address; revoking removes it.
		old := tok.URL
		if err := me.Call(ctx, "POST", "/api/v1/me/calendar-token", nil, &tok); err != nil {
			t.Fatal(err)
		}
		if status, _ := fetch(old, anon); status != 404 {
			t.Fatalf("old address: %d", status)
		}
		if err := me.Call(ctx, "DELETE", "/api/v1/me/calendar-token", nil, nil); err != nil {
			t.Fatal(err)
		}
		if status, _ := fetch(tok.URL, anon); status != 404 {
			t.Fatalf("revoked address: %d", status)
		}
	})
}

// An activity's organiser name is read from its row (migration 0240), kept
// by triggers: a park, a party organisation and an alliance renamed, the
// organiser changed, the alliance removed — the get and the list show the
// current name, and every row agrees with its organiser's.
func TestActivityShowsCurrentOrganizerName(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn, 0)
		byPark := w.published(t, w.admin, w.body(soon, nil))
		byBranch := w.published(t, w.admin, w.body(soon, map[string]any{"organizer_id": w.branch}))
		al, err := w.admin.CreateAlliance(ctx, map[string]any{"park_id": w.andong, "name": "安东园党建联盟", "lead_org_id": w.branch,
			"member_org_ids": []string{w.branch}})
		if err != nil {
			t.Fatal(err)
		}
		byAlliance := w.published(t, w.admin, w.body(soon, map[string]any{"organizer_id": al.ID}))
		shows := func(step string, want map[string]string) {
			t.Helper()
			list, err := w.admin.ListActivities(ctx, url.Values{"limit": {"200"}})
			if err != nil {
				t.Fatal(err)
			}
			listed := map[string]string{}
			for _, a := range list.Items {
				listed[a.ID] = a.OrganizerName
			}
			for id, name := range want {
				got, err := w.admin.GetActivity(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if got.OrganizerName != name || listed[id] != name {
					t.Errorf("%s: %s shows %q (get) and %q (list), want %q", step, id, got.OrganizerName, listed[id], name)
				}
			}
		}
		shows("created", map[string]string{byPark.ID: "安东园", byBranch.ID: "成达齿轮党支部", byAlliance.ID: "安东园党建联盟"})

		park, err := w.admin.GetPark(ctx, w.andong)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.admin.UpdatePark(ctx, w.andong, map[string]any{"name": "安东产业园"}, park.Version); err != nil {
			t.Fatal(err)
		}
		org, err := w.admin.GetOrg(ctx, w.branch)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.admin.UpdateOrg(ctx, w.branch, map[string]any{"name": "成达精工党支部"}, org.Version); err != nil {
			t.Fatal(err)
		}
		if al, err = w.admin.UpdateAlliance(ctx, al.ID, map[string]any{"name": "安东产业园党建联盟"}, al.Version); err != nil {
			t.Fatal(err)
		}
		shows("renamed", map[string]string{byPark.ID: "安东产业园", byBranch.ID: "成达精工党支部", byAlliance.ID: "安东产业园党建联盟"})

		if _, err := w.admin.UpdateActivity(ctx, byAlliance.ID, map[string]any{"organizer_id": w.wuli}, 0); err != nil {
			t.Fatal(err)
		}
		shows("organiser changed", map[string]string{byAlliance.ID: "五里园", byPark.ID: "安东产业园"})
		if _, err := w.admin.UpdateActivity(ctx, byAlliance.ID, map[string]any{"organizer_id": al.ID}, 0); err != nil {
			t.Fatal(err)
		}
		shows("organiser changed back", map[string]string{byAlliance.ID: "安东产业园党建联盟"})

		// Removing the alliance, straight in the table as nothing in the
		// API removes an organiser with activities: the name goes with it,
		// as the lookup it replaces answered.
		for _, q := range []string{`DELETE FROM alliance_orgs WHERE alliance_id = $1`, `DELETE FROM alliances WHERE id = $1`} {
			if _, err := w.srv.DB.W.Exec(q, al.ID); err != nil {
				t.Fatal(err)
			}
		}
		shows("alliance removed", map[string]string{byAlliance.ID: "", byBranch.ID: "成达精工党支部"})

		if n := w.srv.Count("activities", `organizer_name <> COALESCE((SELECT name FROM alliances WHERE alliances.id = activities.organizer_id),
			(SELECT name FROM scope_nodes WHERE scope_nodes.id = activities.organizer_id), '')`); n != 0 {
			t.Errorf("%d activities whose organiser name disagrees with their organiser's", n)
		}
	})
}

// A zone administrator's list filtered by status, or not at all, takes its
// total from the counts kept per zone and status (migration 0250): after
// creating, publishing, cancelling, deleting and a status written straight
// in the table, the total equals the items the list pages through, for the
// zone administrator and for a park's (whose total is counted), and the
// kept counts equal COUNT(*) of the activities on both engines.
func TestActivityTotalsMatchTheirRows(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn, 0)
		zoneAdmin := w.srv.User("zone-admin", access.ZoneAdmin, w.srv.ZoneID)
		var ids []string
		for i := range 7 {
			c := w.parkAdmin
			if i%3 == 2 {
				c = w.wuliAdmin
			}
			organizer := w.andong
			if c == w.wuliAdmin {
				organizer = w.wuli
			}
			a, err := c.CreateActivity(ctx, w.body(soon.Add(time.Duration(i)*time.Hour), map[string]any{"organizer_id": organizer}))
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, a.ID)
		}
		for _, id := range ids[:5] {
			if _, err := w.admin.ActivityAction(ctx, id, "publish"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.admin.ActivityAction(ctx, ids[0], "cancel"); err != nil {
			t.Fatal(err)
		}
		if err := w.admin.DeleteActivity(ctx, ids[6], 0); err != nil {
			t.Fatal(err)
		}
		if _, err := w.srv.DB.W.Exec(`UPDATE activities SET status = 'completed' WHERE id = $1`, ids[1]); err != nil {
			t.Fatal(err)
		}
		check := func(c *client.Client, who string) {
			t.Helper()
			for _, status := range []string{"", "draft", "published", "completed", "cancelled"} {
				q := url.Values{"limit": {"2"}}
				if status != "" {
					q.Set("status", status)
				}
				var seen, total int
				for pages := 0; pages < 10; pages++ {
					l, err := c.ListActivities(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					seen += len(l.Items)
					if pages == 0 {
						total = l.Total
					}
					if l.NextCursor == nil {
						break
					}
					q.Set("cursor", *l.NextCursor)
				}
				if seen != total {
					t.Errorf("%s, status %q: total %d, %d listed", who, status, total, seen)
				}
			}
		}
		check(zoneAdmin, "zone administrator")
		check(w.parkAdmin, "park administrator")
		const line = `zone_id || ' ' || status || ' ' || CAST(%s AS TEXT)`
		kept := w.srv.Strings(`SELECT ` + fmt.Sprintf(line, "SUM(n)") + ` FROM activity_status_counts
			GROUP BY zone_id, status HAVING SUM(n) <> 0 ORDER BY zone_id, status`)
		counted := w.srv.Strings(`SELECT ` + fmt.Sprintf(line, "COUNT(*)") + ` FROM activities GROUP BY zone_id, status ORDER BY zone_id, status`)
		if !slices.Equal(kept, counted) {
			t.Errorf("kept %v, counted %v", kept, counted)
		}
	})
}
