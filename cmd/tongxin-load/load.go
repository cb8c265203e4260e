package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"tongxin/internal/demo"
)

// pools are ids read from the database before the run, per user, so every
// request names something the caller may see (an id out of scope would
// be a 404, counted as an error).
type pools struct {
	zoneID      string
	parks       []string
	enterprises []string
	people      []string
	orgs        []string
	activities  []string
	// Open activities of the zone (anyone may sign up) and of each park
	// (its people), and people by park.
	upcomingZone   []string
	upcomingByPark map[string][]string
	peopleByPark   map[string][]string
	openParks      []string
	requests       []string
	points         []string
	codes          []string
	// The park of the park-level users, and what lies in it.
	park            string
	parkEnterprises []string
	parkPeople      []string
	parkActivities  []string
	parkRequests    []string
	parkPoints      []string
	committee       string
}

func ids(ctx context.Context, d *sql.DB, q string, args ...any) ([]string, error) {
	rows, err := d.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no rows: %s %v", q, args)
	}
	return out, rows.Err()
}

func loadPools(ctx context.Context, db database) (*pools, error) {
	d, err := sql.Open(driverOf(db.dsn), sqlDSN(db.dsn))
	if err != nil {
		return nil, err
	}
	defer d.Close()
	p := &pools{zoneID: db.zoneID}
	for _, u := range db.users {
		switch u.role {
		case "park_admin":
			p.park = u.scope
		case "org_secretary":
			p.committee = u.scope
		}
	}
	z, pk := db.zoneID, p.park
	// Every fifth, twentieth … row: spread over the table without ORDER BY random().
	for _, q := range []struct {
		dst  *[]string
		sql  string
		args []any
	}{
		{&p.parks, `SELECT id FROM parks WHERE zone_id = $1`, []any{z}},
		{&p.enterprises, `SELECT id FROM enterprises WHERE zone_id = $1`, []any{z}},
		{&p.people, `SELECT id FROM people WHERE zone_id = $1 AND substr(id, 36, 1) IN ('0', '8')`, []any{z}},
		{&p.orgs, `SELECT id FROM orgs WHERE zone_id = $1`, []any{z}},
		{&p.activities, `SELECT id FROM activities WHERE zone_id = $1 AND substr(id, 36, 1) IN ('0', '4', '8', 'c')`, []any{z}},
		{&p.upcomingZone, `SELECT id FROM activities WHERE zone_id = $1 AND status = 'published' AND organizer_kind = 'zone'`, []any{z}},
		{&p.requests, `SELECT id FROM service_requests WHERE zone_id = $1 AND substr(id, 36, 1) = '0'`, []any{z}},
		{&p.points, `SELECT id FROM service_points WHERE zone_id = $1`, []any{z}},
		{&p.codes, `SELECT code FROM services WHERE zone_id = $1`, []any{z}},
		{&p.parkEnterprises, `SELECT id FROM enterprises WHERE park_id = $1`, []any{pk}},
		{&p.parkPeople, `SELECT p.id FROM people p JOIN enterprises e ON e.id = p.enterprise_id WHERE e.park_id = $1 AND substr(p.id, 36, 1) IN ('0', '8')`, []any{pk}},
		{&p.parkActivities, `SELECT id FROM activities WHERE park_id = $1`, []any{pk}},
		{&p.parkRequests, `SELECT id FROM service_requests WHERE park_id = $1 AND substr(id, 36, 1) IN ('0', '8')`, []any{pk}},
		{&p.parkPoints, `SELECT id FROM service_points WHERE park_id = $1`, []any{pk}},
	} {
		if *q.dst, err = ids(ctx, d, q.sql, q.args...); err != nil {
			return nil, err
		}
	}
	p.upcomingByPark, p.peopleByPark = map[string][]string{}, map[string][]string{}
	if err := pairs(ctx, d, p.upcomingByPark, `SELECT park_id, id FROM activities WHERE zone_id = $1 AND status = 'published' AND organizer_kind = 'park'`, z); err != nil {
		return nil, err
	}
	if err := pairs(ctx, d, p.peopleByPark, `SELECT e.park_id, p.id FROM people p JOIN enterprises e ON e.id = p.enterprise_id
		WHERE p.zone_id = $1 AND substr(p.id, 36, 1) IN ('0', '8')`, z); err != nil {
		return nil, err
	}
	for park := range p.upcomingByPark {
		if len(p.peopleByPark[park]) > 0 {
			p.openParks = append(p.openParks, park)
		}
	}
	slices.Sort(p.openParks)
	if len(p.openParks) == 0 {
		return nil, errors.New("no open activity of a park: generate the database anew (--fresh)")
	}
	return p, nil
}

// pairs reads (key, id) rows into m.
func pairs(ctx context.Context, d *sql.DB, m map[string][]string, q string, args ...any) error {
	rows, err := d.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", q, err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return err
		}
		m[k] = append(m[k], v)
	}
	return rows.Err()
}

// session is a signed-in client identity.
type session struct {
	user  string
	role  string
	token string
}

// op is one kind of request: it returns the endpoint's name (its route),
// the request, and the statuses that count as expected (a 409 is always
// counted apart as a conflict, never as an error).
type op struct {
	endpoint string
	weight   int
	build    func(w *worker) (*http.Request, []int)
	// after sees the answer of a successful request (e.g. to queue a
	// created service request for its next action).
	after func(w *worker, status int, body []byte)
}

type worker struct {
	id    int
	base  string
	rnd   *rand.Rand
	ses   map[string]session // by role
	p     *pools
	hc    *http.Client
	queue *actionQueue
	ceil  string
	// what the last build chose, for its after
	lastRole   string
	lastQueued queued
}

func (w *worker) pick(s []string) string { return s[w.rnd.IntN(len(s))] }

func (w *worker) req(method, role, path string, body any) *http.Request {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	r, _ := http.NewRequest(method, w.base+path, rd)
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if s, ok := w.ses[role]; ok {
		r.Header.Set("Authorization", "Bearer "+s.token)
	}
	return r
}

// actionQueue holds service requests created in the run with the next
// action each awaits (accept → start → resolve), and who filed it.
type actionQueue struct {
	mu    sync.Mutex
	items []queued
}

type queued struct {
	id, role string
	step     int
}

var steps = []string{"accept", "start", "resolve"}

func (q *actionQueue) push(x queued) {
	q.mu.Lock()
	if len(q.items) < 100000 {
		q.items = append(q.items, x)
	}
	q.mu.Unlock()
}

func (q *actionQueue) pop(r *rand.Rand) (queued, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) == 0 {
		return queued{}, false
	}
	i := r.IntN(len(q.items))
	x := q.items[i]
	q.items[i] = q.items[len(q.items)-1]
	q.items = q.items[:len(q.items)-1]
	return x, true
}

var (
	ok200 = []int{200}
	ok201 = []int{201}
	// Chinese (two-character names and words) and pinyin (whole and
	// initials) queries, as people type them.
	chineseQueries = []string{"王伟", "张敏", "李娜", "陈杰", "刘洋", "齿轮", "鸿盛", "机械", "纺织", "主题党日", "志愿服务", "党支部", "食品"}
	pinyinQueries  = []string{"wangwei", "zhangmin", "lina", "chenjie", "chilun", "jixie", "zhiyuan", "dangzhibu", "ww", "zm", "ztdr"}
)

func enc(s string) string { return url.QueryEscape(s) }

// The operations, by group.
func getOps() []op {
	return []op{
		{endpoint: "GET /api/v1/enterprises/{id}", weight: 3, build: func(w *worker) (*http.Request, []int) {
			if w.rnd.IntN(2) == 0 {
				return w.req("GET", "park_admin", "/api/v1/enterprises/"+w.pick(w.p.parkEnterprises), nil), ok200
			}
			return w.req("GET", "zone_admin", "/api/v1/enterprises/"+w.pick(w.p.enterprises), nil), ok200
		}},
		{endpoint: "GET /api/v1/people/{id}", weight: 3, build: func(w *worker) (*http.Request, []int) {
			if w.rnd.IntN(2) == 0 {
				return w.req("GET", "park_admin", "/api/v1/people/"+w.pick(w.p.parkPeople), nil), ok200
			}
			return w.req("GET", "zone_admin", "/api/v1/people/"+w.pick(w.p.people), nil), ok200
		}},
		{endpoint: "GET /api/v1/activities/{id}", weight: 2, build: func(w *worker) (*http.Request, []int) {
			return w.req("GET", "zone_admin", "/api/v1/activities/"+w.pick(w.p.activities), nil), ok200
		}},
		{endpoint: "GET /api/v1/service-requests/{id}", weight: 2, build: func(w *worker) (*http.Request, []int) {
			if w.rnd.IntN(2) == 0 {
				return w.req("GET", "service_staff", "/api/v1/service-requests/"+w.pick(w.p.parkRequests), nil), ok200
			}
			return w.req("GET", "zone_admin", "/api/v1/service-requests/"+w.pick(w.p.requests), nil), ok200
		}},
		{endpoint: "GET /api/v1/orgs/{id}", weight: 1, build: func(w *worker) (*http.Request, []int) {
			return w.req("GET", "zone_admin", "/api/v1/orgs/"+w.pick(w.p.orgs), nil), ok200
		}},
	}
}

func listOps() []op {
	return []op{
		{endpoint: "GET /api/v1/enterprises?park_id", weight: 2, build: func(w *worker) (*http.Request, []int) {
			return w.req("GET", "zone_admin", "/api/v1/enterprises?limit=50&park_id="+w.pick(w.p.parks), nil), ok200
		}},
		{endpoint: "GET /api/v1/people?enterprise_id", weight: 2, build: func(w *worker) (*http.Request, []int) {
			return w.req("GET", "park_admin", "/api/v1/people?limit=50&enterprise_id="+w.pick(w.p.parkEnterprises), nil), ok200
		}},
		{endpoint: "GET /api/v1/people?park_id&is_member", weight: 1, build: func(w *worker) (*http.Request, []int) {
			return w.req("GET", "zone_admin", "/api/v1/people?limit=50&is_member=true&park_id="+w.pick(w.p.parks), nil), ok200
		}},
		{endpoint: "GET /api/v1/people?org_id", weight: 1, build: func(w *worker) (*http.Request, []int) {
			return w.req("GET", "org_secretary", "/api/v1/people?limit=50&org_id="+w.p.committee, nil), ok200
		}},
		{endpoint: "GET /api/v1/activities?status", weight: 2, build: func(w *worker) (*http.Request, []int) {
			return w.req("GET", "zone_admin", "/api/v1/activities?limit=50&status=published", nil), ok200
		}},
		{endpoint: "GET /api/v1/service-requests?status", weight: 2, build: func(w *worker) (*http.Request, []int) {
			if w.rnd.IntN(2) == 0 {
				return w.req("GET", "service_staff", "/api/v1/service-requests?limit=50&status=submitted", nil), ok200
			}
			return w.req("GET", "zone_admin", "/api/v1/service-requests?limit=50&status=closed&park_id="+w.pick(w.p.parks), nil), ok200
		}},
	}
}

func searchOps() []op {
	return []op{
		{endpoint: "GET /api/v1/people?q (Chinese)", weight: 2, build: func(w *worker) (*http.Request, []int) {
			return w.req("GET", "zone_admin", "/api/v1/people?limit=20&q="+enc(w.pick(chineseQueries[:5])), nil), ok200
		}},
		{endpoint: "GET /api/v1/people?q (pinyin)", weight: 2, build: func(w *worker) (*http.Request, []int) {
			return w.req("GET", "zone_admin", "/api/v1/people?limit=20&q="+enc(w.pick(pinyinQueries[:4])), nil), ok200
		}},
		{endpoint: "GET /api/v1/enterprises?q", weight: 1, build: func(w *worker) (*http.Request, []int) {
			q := w.pick([]string{"齿轮", "鸿盛", "机械", "纺织", "chilun", "jixie", "食品"})
			return w.req("GET", "zone_admin", "/api/v1/enterprises?limit=20&q="+enc(q), nil), ok200
		}},
		{endpoint: "GET /api/v1/activities?q", weight: 1, build: func(w *worker) (*http.Request, []int) {
			q := w.pick([]string{"主题党日", "志愿服务", "zhiyuan", "ztdr", "党课"})
			return w.req("GET", "zone_admin", "/api/v1/activities?limit=20&q="+enc(q), nil), ok200
		}},
	}
}

func matrixOps() []op {
	return []op{
		{endpoint: "GET /api/v1/dashboard/matrix", weight: 1, build: func(w *worker) (*http.Request, []int) {
			switch w.rnd.IntN(3) {
			case 0:
				return w.req("GET", "zone_admin", "/api/v1/dashboard/matrix", nil), ok200
			case 1:
				return w.req("GET", "zone_admin", "/api/v1/dashboard/matrix?from=2025-03-15&to=2026-05-20&park_id="+w.pick(w.p.parks), nil), ok200
			}
			return w.req("GET", "park_admin", "/api/v1/dashboard/matrix?from=2026-01-01&to=2026-10-31", nil), ok200
		}},
	}
}

func open311Ops() []op {
	return []op{
		{endpoint: "GET /open311/v2/services.json", weight: 1, build: func(w *worker) (*http.Request, []int) {
			return w.req("GET", "", "/open311/v2/services.json?jurisdiction_id="+w.p.zoneID, nil), ok200
		}},
		{endpoint: "GET /open311/v2/requests.json", weight: 2, build: func(w *worker) (*http.Request, []int) {
			// A client polling one service over a few days (the generated
			// requests lie in the two years before demo.Reference), and one
			// asking for the open requests of the default 90-day window.
			if w.rnd.IntN(4) == 0 {
				return w.req("GET", "", "/open311/v2/requests.json?status=open&jurisdiction_id="+w.p.zoneID+"&service_code="+w.pick(w.p.codes), nil), ok200
			}
			from := demo.Reference.AddDate(0, 0, -3-w.rnd.IntN(362))
			return w.req("GET", "", "/open311/v2/requests.json?jurisdiction_id="+w.p.zoneID+"&service_code="+w.pick(w.p.codes)+
				"&start_date="+enc(from.Format(time.RFC3339))+"&end_date="+enc(from.AddDate(0, 0, 3).Format(time.RFC3339)), nil), ok200
		}},
		{endpoint: "GET /open311/v2/requests/{id}.json", weight: 3, build: func(w *worker) (*http.Request, []int) {
			return w.req("GET", "", "/open311/v2/requests/"+w.pick(w.p.requests)+".json?jurisdiction_id="+w.p.zoneID, nil), ok200
		}},
	}
}

var idemSeq atomic.Int64

func signupOps() []op {
	return []op{
		{endpoint: "POST /api/v1/activities/{id}/signups", weight: 1, build: func(w *worker) (*http.Request, []int) {
			// A zone activity, anyone; a park's, someone of the park.
			if w.rnd.IntN(4) == 0 {
				return w.req("POST", "zone_admin", "/api/v1/activities/"+w.pick(w.p.upcomingZone)+"/signups", map[string]string{"person_id": w.pick(w.p.people)}), ok201
			}
			park := w.pick(w.p.openParks)
			return w.req("POST", "zone_admin", "/api/v1/activities/"+w.pick(w.p.upcomingByPark[park])+"/signups",
				map[string]string{"person_id": w.pick(w.p.peopleByPark[park])}), ok201
		}},
	}
}

func requestOps() []op {
	file := func(w *worker) (*http.Request, []int) {
		role, point := "zone_admin", w.pick(w.p.points)
		if w.rnd.IntN(2) == 0 {
			role, point = "service_staff", w.pick(w.p.parkPoints)
		}
		code := w.pick(w.p.codes)
		w.lastRole = role
		r := w.req("POST", role, "/api/v1/service-requests", map[string]any{"point_id": point, "service_code": code,
			"description": "压测诉求：宿舍区路灯损坏，请尽快处理", "contact": map[string]string{"name": "张师傅", "phone": "13800138000"},
			"location": map[string]any{"address": "五里园安东路18号", "lat": 24.8, "lng": 118.6}})
		r.Header.Set("Idempotency-Key", fmt.Sprintf("load-%d-%d", time.Now().UnixNano(), idemSeq.Add(1)))
		return r, ok201
	}
	return []op{
		{endpoint: "POST /api/v1/service-requests", weight: 1, build: file, after: func(w *worker, status int, body []byte) {
			var v struct {
				ID string `json:"id"`
			}
			if status == 201 && json.Unmarshal(body, &v) == nil && v.ID != "" {
				// acted on by whoever filed it (the staff at its own park's points)
				w.queue.push(queued{id: v.ID, role: w.lastRole, step: 0})
			}
		}},
		{endpoint: "POST /api/v1/service-requests/{id}/actions", weight: 1, build: func(w *worker) (*http.Request, []int) {
			x, ok := w.queue.pop(w.rnd)
			if !ok {
				return nil, nil
			}
			w.lastQueued = x
			return w.req("POST", x.role, "/api/v1/service-requests/"+x.id+"/actions", map[string]string{"action": steps[x.step]}), ok200
		}, after: func(w *worker, status int, body []byte) {
			x := w.lastQueued
			if status == 200 && x.step+1 < len(steps) {
				x.step++
				w.queue.push(x)
			}
		}},
	}
}
