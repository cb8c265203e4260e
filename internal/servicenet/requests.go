package servicenet

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/ident"
	"tongxin/internal/matrix"
	"tongxin/internal/nodes"
	"tongxin/internal/page"
	"tongxin/internal/valid"
)

// Contact is whom the point calls back. The phone is sealed at rest and
// shown masked.
type Contact struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// Place is where the problem is.
type Place struct {
	Address string   `json:"address"`
	Lat     *float64 `json:"lat"`
	Lng     *float64 `json:"lng"`
}

// Event is one step of a request's timeline. ActorID is null for the
// system (the overdue job) and for Open311 clients.
type Event struct {
	At      time.Time `json:"at"`
	ActorID *string   `json:"actor_id"`
	Action  string    `json:"action"`
	Note    string    `json:"note"`
}

// Request is a service request (诉求/工单) as API.md shows it.
type Request struct {
	ID          string  `json:"id"`
	ZoneID      string  `json:"zone_id"`
	ParkID      string  `json:"park_id"`
	ServiceCode string  `json:"service_code"`
	Description string  `json:"description"`
	RequesterID *string `json:"requester_id"`
	Contact     Contact `json:"contact"`
	Location    Place   `json:"location"`
	PointID     string  `json:"point_id"`
	PointName   string  `json:"point_name"`
	Status      string  `json:"status"`
	// AllowedActions are the actions the workflow allows from Status (who
	// may take each is the server's decision when one is posted).
	AllowedActions []string  `json:"allowed_actions"`
	AssigneeID     *string   `json:"assignee_id"`
	DueAt          time.Time `json:"due_at"`
	Overdue        bool      `json:"overdue"`
	Escalated      bool      `json:"escalated"`
	Rating         *int      `json:"rating"`
	Source         string    `json:"source"`
	Timeline       []Event   `json:"timeline"`
	PhotoIDs       []string  `json:"photo_ids"`
	Version        int       `json:"version"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`

	createdBy   string
	pointPath   string
	phoneSealed string
	lastNote    *string // read without the timeline (PublicRequests)
}

// LastNote is the note of the request's latest timeline event (Open311's
// status_notes): from its timeline, or read alone where the timeline was
// not (PublicRequests).
func (r Request) LastNote() string {
	if n := len(r.Timeline); n > 0 {
		return r.Timeline[n-1].Note
	}
	if r.lastNote != nil {
		return *r.lastNote
	}
	return ""
}

const requestCols = `r.id, r.zone_id, r.park_id, r.service_code, r.description, r.requester_id, r.contact_name, r.contact_phone, r.address, r.lat, r.lng,
	r.point_id, r.status, r.assignee_id, r.due_at, r.overdue_at, r.rating, r.source, r.version, r.created_at, r.updated_at, r.created_by, r.point_path, r.point_name`

// requestFrom is where a request is read: its point's path and name are
// kept on its row (migration 0430).
const requestFrom = `service_requests r`

// requestRow is a request as a scan reads it: one allocation for the
// request and every temporary whose address Scan takes (each would escape
// to the heap on its own, a dozen a row), which the request's pointers
// then share.
type requestRow struct {
	r                              Request
	requester, assignee, createdBy sql.NullString
	lat, lng                       sql.NullFloat64
	due                            int64
	overdueAt, rating              sql.NullInt64
	ratingN                        int
	events, photos                 string // withTimeline
}

// scan reads requestCols, then more, into x.
func (s *Service) scan(x *requestRow, sc db.Scanner, now time.Time, more ...any) error {
	r := &x.r
	dest := make([]any, 0, 24+len(more))
	dest = append(dest, &r.ID, &r.ZoneID, &r.ParkID, &r.ServiceCode, &r.Description, &x.requester, &r.Contact.Name, &r.Contact.Phone,
		&r.Location.Address, &x.lat, &x.lng, &r.PointID, &r.Status, &x.assignee, &x.due, &x.overdueAt, &x.rating, &r.Source, &r.Version,
		db.T(&r.CreatedAt), db.T(&r.UpdatedAt), &x.createdBy, &r.pointPath, &r.PointName)
	if err := sc.Scan(append(dest, more...)...); err != nil {
		return err
	}
	r.RequesterID, r.AssigneeID, r.createdBy = db.Ref(&x.requester), db.Ref(&x.assignee), x.createdBy.String
	if x.lat.Valid && x.lng.Valid {
		r.Location.Lat, r.Location.Lng = &x.lat.Float64, &x.lng.Float64
	}
	if x.rating.Valid {
		x.ratingN = int(x.rating.Int64)
		r.Rating = &x.ratingN
	}
	r.DueAt = db.FromMicros(x.due)
	r.Escalated = x.overdueAt.Valid
	r.Overdue = Open(r.Status) && now.After(r.DueAt)
	r.phoneSealed = r.Contact.Phone
	r.Contact.Phone = s.maskedPhone(r.Contact.Phone)
	r.Timeline, r.PhotoIDs = []Event{}, []string{}
	r.AllowedActions = NextActions(r.Status)
	return nil
}

// scanRequest scans requestCols.
func (s *Service) scanRequest(now time.Time) func(db.Scanner) (Request, error) {
	return func(sc db.Scanner) (Request, error) {
		x := new(requestRow)
		err := s.scan(x, sc, now)
		return x.r, err
	}
}

func (s *Service) maskedPhone(sealed string) string {
	phone, err := s.Keys.OpenMasked(sealed, ident.MobileMask)
	if err != nil {
		return ""
	}
	return phone
}

// withTimeline adds to requestCols a request's timeline and its photo
// ids, each kept packed on its row by triggers (migrations 0270 and
// 0380), so that a request with its timeline and photos is one row's
// read. Events are separated by eventSep, an event's fields and the photo
// ids by fieldSep, the note last; notes hold no control characters
// (valid.Text), so neither separator.
const withTimeline = `, r.timeline, r.photo_ids`

const (
	eventSep = "\x1e"
	fieldSep = "\x1f"
)

// scanFull scans requestCols and withTimeline.
func (s *Service) scanFull(now time.Time) func(db.Scanner) (Request, error) {
	return func(sc db.Scanner) (Request, error) {
		x := new(requestRow)
		r := &x.r
		if err := s.scan(x, sc, now, &x.events, &x.photos); err != nil {
			return *r, err
		}
		var err error
		if r.Timeline, err = unpackTimeline(x.events); err != nil {
			return *r, fmt.Errorf("request %s: %w", r.ID, err)
		}
		if x.photos != "" {
			r.PhotoIDs = strings.Split(x.photos, fieldSep)
			slices.Sort(r.PhotoIDs)
		}
		return *r, nil
	}
}

// unpackTimeline reads a request's packed timeline, in order of time
// (then id): the triggers append events as they are written and a
// repack's string_agg promises no order. Every request a list or a get
// shows is unpacked: three allocations for the whole timeline (the
// events, their order keys, the actors' ids), none per event or field.
func unpackTimeline(packed string) ([]Event, error) {
	if packed == "" {
		return []Event{}, nil
	}
	n := strings.Count(packed, eventSep) + 1
	events := make([]Event, n)
	keys := make([]eventKey, n)
	actors := make([]string, n)
	sorted := true
	for i := range n {
		ev, rest, _ := strings.Cut(packed, eventSep)
		packed = rest
		var f [5]string
		if !fields(ev, &f) {
			return nil, fmt.Errorf("timeline: event %q has %d fields, want 5", ev, strings.Count(ev, fieldSep)+1)
		}
		micros, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("timeline: event time %q: %w", f[0], err)
		}
		events[i] = Event{At: db.FromMicros(micros), Action: f[3], Note: f[4]}
		if f[2] != "" {
			actors[i] = f[2]
			events[i].ActorID = &actors[i]
		}
		keys[i] = eventKey{micros, f[1], i}
		if i > 0 && keys[i-1].compare(keys[i]) > 0 {
			sorted = false
		}
	}
	if sorted {
		return events, nil
	}
	slices.SortFunc(keys, eventKey.compare)
	out := make([]Event, n)
	for i, k := range keys {
		out[i] = events[k.i]
	}
	return out, nil
}

// fields splits an event into its five fields, the note (last) holding
// the rest; false when it has fewer.
func fields(ev string, f *[5]string) bool {
	for i := range 4 {
		var ok bool
		if f[i], ev, ok = strings.Cut(ev, fieldSep); !ok {
			return false
		}
	}
	f[4] = ev
	return true
}

// eventKey orders a timeline's events: by time, then id; i is the
// event's place in the packed timeline.
type eventKey struct {
	micros int64
	id     string
	i      int
}

func (k eventKey) compare(o eventKey) int {
	return cmp.Or(cmp.Compare(k.micros, o.micros), strings.Compare(k.id, o.id))
}

// requestAttach: a request hangs under its point (and so its park and
// zone); whoever's grant covers the point sees it.
var requestAttach = []access.Attach{access.ByZone("r.zone_id"), access.ByNodeOf("r.point_id", access.KindPoint)}

// visibleWhere is the predicate of the request the caller may see, found
// by its id: in their service_request.read scope (checked on the row,
// access.Scope.WhereRow), or their own (mineWhere).
func visibleWhere(ctx context.Context, a *db.Args) string {
	p := access.From(ctx)
	where := p.Scope(RequestRead).WhereRow(a, "r", requestAttach...)
	if mine := mineWhere(p, a); mine != "" {
		where = "(" + where + " OR " + mine + ")"
	}
	return where
}

// mineWhere is the predicate of the caller's own requests: filed by their
// account, or for the person their account is bound to ("" when the
// caller is nobody).
func mineWhere(p *access.Principal, a *db.Args) string {
	if p == nil || p.UserID == "" {
		return ""
	}
	mine := "r.created_by = " + a.Add(p.UserID)
	if p.PersonID != "" {
		mine = "(" + mine + " OR r.requester_id = " + a.Add(p.PersonID) + ")"
	}
	return mine
}

// own reports whether r is the caller's own request (mineWhere).
func own(p *access.Principal, r Request) bool {
	return p != nil && ((p.UserID != "" && r.createdBy == p.UserID) || (p.PersonID != "" && r.RequesterID != nil && *r.RequesterID == p.PersonID))
}

// RequestFilter narrows ListRequests.
type RequestFilter struct {
	Status, PointID, ParkID, ServiceCode string
	Overdue                              *bool
	Mine                                 bool // only those the caller filed
}

// ListRequests lists the requests the caller may see (Mine: the ones they
// filed), newest first; q matches the description.
func (s *Service) ListRequests(ctx context.Context, f RequestFilter, p page.Page) (page.List[Request], error) {
	now := s.DB.Now().UTC()
	var a db.Args
	var where string
	sc := access.From(ctx).Scope(RequestRead)
	zones := page.ZoneCounter("service_requests", sc)
	ordered := false       // the predicate reads an index in the list's order
	var park *access.Place // the scope is this one park (onePlace)
	switch {
	case f.Mine:
		if where = mineWhere(access.From(ctx), &a); where == "" {
			where = "1=0"
		}
	case zones == nil && f.Status != "":
		pl, ok, err := s.onePlace(ctx, sc)
		if err != nil {
			return page.List[Request]{}, err
		}
		switch {
		case ok && pl.Kind == access.KindPark:
			where, ordered, park = "r.park_id = "+a.Add(pl.ID)+" AND r.zone_id = "+a.Add(pl.ZoneID), true, &pl
		case ok:
			where, ordered = "r.point_id = "+a.Add(pl.ID), true
		default:
			where = sc.Where(&a, requestAttach...)
		}
	default:
		where = sc.Where(&a, requestAttach...)
	}
	where += a.Equals("r.status", f.Status, "r.point_id", f.PointID, "r.park_id", f.ParkID, "r.service_code", f.ServiceCode)
	if f.Overdue != nil {
		open := "r.status NOT IN ('resolved', 'closed', 'rejected') AND r.due_at < " + a.Add(db.Micros(now))
		if *f.Overdue {
			where += " AND " + open
		} else {
			where += " AND NOT (" + open + ")"
		}
	}
	if p.Query != "" {
		where += " AND LOWER(r.description) LIKE " + a.Add(db.Like(p.Query)) + ` ESCAPE '\'`
	}
	lq := page.Query{From: requestFrom, Cols: requestCols + withTimeline, Where: where, Args: a, Desc: true, OrderBy: "r.created_at"}
	// Filtered by status, point and park alone, the total is a sum of
	// counts kept with the requests. Whole zones (a zone administrator)
	// without a point: the list's predicate is "the requests of these
	// zones" with its filters, and the counts per zone, park and status
	// answer it (request_counts, migration 0170). Any other scope (nodes:
	// a park's staff and administrators): the list's own predicate selects
	// the counts per point and status, which have the columns it names
	// (request_point_counts, migration 0260) — but one park's (onePlace)
	// names no point, and would read every point's counts: the park's
	// counts per status answer it (28 against 104 µs on the zone database).
	if !f.Mine && f.ServiceCode == "" && f.Overdue == nil && p.Query == "" {
		switch {
		case zones != nil && f.PointID == "":
			lq.Total = zones.Sum("request_counts", "status", f.Status, "park_id", f.ParkID)
		case park != nil && f.PointID == "" && (f.ParkID == "" || f.ParkID == park.ID):
			one := page.Counter{Zones: []string{park.ZoneID}}
			lq.Total = one.Sum("request_counts", "status", f.Status, "park_id", park.ID)
		default:
			lq.Total = page.SumOf("request_point_counts r", where, a)
		}
	}
	// A scope of nodes (service staff's points, a park) reads each node's
	// entries of service_requests_point_status and sorts them all: read
	// the page's ids from the index first, then only those rows
	// (PostgreSQL, the park's 1,266 submitted requests: 2,141 → about 500
	// buffers). Whole zones, and one park or point with a status
	// (onePlace), read the page in index order and need not.
	lq.Late = !f.Mine && zones == nil && !ordered
	return page.Rows(ctx, s.DB.R, p, lq, s.scanFull(now), func(r Request) (any, string) { return db.Micros(r.CreatedAt), r.ID })
}

// onePlace returns the park or the service point a scope is, when it is
// one (a park's staff, a point's): ListRequests then selects by the
// request's own columns, which an index holds in the list's order with a
// status — the park's (service_requests_park_status: park, status, zone,
// then time) or the point's (service_requests_point_status) — and counts
// a park's from the counts per zone, park and status. A request lies
// under its point, and its park_id is its point's park, set when it is
// filed (a point never changes park and a request never changes point),
// so "the point lies in the park's subtree" is "park_id is the park". ok
// is false for any other scope (several nodes, another kind, a node no
// longer there): its predicate is Scope.Where's.
func (s *Service) onePlace(ctx context.Context, sc access.Scope) (pl access.Place, ok bool, err error) {
	paths := sc.Paths()
	if sc.All() || len(paths) != 1 {
		return pl, false, nil
	}
	path := strings.TrimSuffix(paths[0], "/")
	pl, err = nodes.PlaceOf(ctx, s.DB.R, path[strings.LastIndexByte(path, '/')+1:])
	switch {
	case apperr.Is(err, apperr.NotFound):
		return pl, false, nil
	case err != nil:
		return pl, false, err
	}
	return pl, pl.Path == paths[0] && (pl.Kind == access.KindPark || pl.Kind == access.KindPoint), nil
}

// getRequest reads a request the caller may see, with its timeline and
// photos. Returns ENOTFOUND.
func (s *Service) getRequest(ctx context.Context, q db.Querier, id string) (Request, error) {
	return s.visible(ctx, q, true, id)
}

// visibleRequest is getRequest without the timeline and photos: the
// request's own row, for a step's checks.
func (s *Service) visibleRequest(ctx context.Context, q db.Querier, id string) (Request, error) {
	return s.visible(ctx, q, false, id)
}

// visible reads request id if the caller may see it (readOne's full).
func (s *Service) visible(ctx context.Context, q db.Querier, full bool, id string) (Request, error) {
	var a db.Args
	where := visibleWhere(ctx, &a)
	return s.readOne(ctx, q, full, "r.id = "+a.Add(id)+" AND "+where, a)
}

// readOne reads the request where selects, with its timeline and photos
// when full. Returns ENOTFOUND.
func (s *Service) readOne(ctx context.Context, q db.Querier, full bool, where string, a db.Args) (Request, error) {
	now := s.DB.Now().UTC()
	cols, scan := requestCols, s.scanRequest(now)
	if full {
		cols, scan = requestCols+withTimeline, s.scanFull(now)
	}
	r, err := scan(q.QueryRowContext(ctx, `SELECT `+cols+` FROM `+requestFrom+` WHERE `+where, a...))
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.New(apperr.NotFound, "")
	}
	return r, err
}

// GetRequest returns a request the caller may see: in their
// service_request.read scope, or filed by them. Returns ENOTFOUND.
func (s *Service) GetRequest(ctx context.Context, id string) (Request, error) {
	return s.getRequest(ctx, s.DB.R, id)
}

// RevealContact returns request id with its contact phone in full, for
// the staff who call the requester back: callers need
// service_request.work over the request's point. Each reveal is an audit
// entry. Returns ENOTFOUND, EFORBIDDEN.
func (s *Service) RevealContact(ctx context.Context, id string) (Request, error) {
	r, err := s.getRequest(ctx, s.DB.R, id)
	if err != nil {
		return r, err
	}
	if !access.From(ctx).Scope(RequestWork).Covers(r.pointPath) {
		return Request{}, apperr.New(apperr.Forbidden, "")
	}
	if r.phoneSealed == "" {
		return r, nil
	}
	phone, err := s.Keys.Open(r.phoneSealed)
	if err != nil {
		return Request{}, err
	}
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		return audit.Record(ctx, tx, audit.Event{ZoneID: r.ZoneID, Node: r.PointID, Entity: "service_request", EntityID: r.ID, Action: "reveal",
			Summary: map[string]any{"fields": []string{"contact.phone"}}})
	})
	r.Contact.Phone = phone
	return r, err
}

// FileInput is a new request. PointID names the point (else the request
// is routed); ParkID, when given, keeps routing within that park.
type FileInput struct {
	ZoneID, ParkID, PointID, ServiceCode, Description string
	RequesterID                                       string
	Contact                                           Contact
	Address                                           string
	Location                                          *Location
}

func (in *FileInput) check(fs *apperr.Fields) {
	if in.ServiceCode == "" {
		fs.Add("service_code", "required")
	}
	valid.Name(fs, "description", &in.Description, MaxDescription)
	valid.Text(fs, "contact.name", in.Contact.Name, 50)
	if in.Contact.Phone != "" {
		in.Contact.Phone = ident.NormalizeMobile(in.Contact.Phone)
		if !ident.ValidMobile(in.Contact.Phone) {
			fs.Add("contact.phone", "invalid_format")
		}
	}
	valid.Text(fs, "location.address", in.Address, 200)
	checkLocation(fs, "location", in.Location)
}

// filer is who files: an account, or an Open311 client's key.
type filer struct {
	userID, apiKeyID, source string
	reaches                  func(parkPath string) bool
}

// FileRequest files a request. The caller needs service_request.file
// reaching the park of the point it lands at (a grant on the park or
// inside it); the request is routed (Route) unless a point is named.
// Returns EFORBIDDEN, EVALIDATION (unknown service code, point, park or
// requester; invalid coordinates; no point offering the service).
func (s *Service) FileRequest(ctx context.Context, in FileInput) (Request, error) {
	p := access.From(ctx)
	sc := p.Scope(RequestFile)
	if sc.Empty() {
		return Request{}, apperr.New(apperr.Forbidden, "")
	}
	// The zone: as given (a zone the caller has a grant in), else that of
	// the named point or park (found in file), else the caller's only zone.
	zoneID := in.ZoneID
	switch {
	case zoneID != "":
		var err error
		if zoneID, err = zoneFor(ctx, zoneID); err != nil {
			return Request{}, err
		}
	case in.PointID == "" && in.ParkID == "":
		var ok bool
		if zoneID, ok = zoneOfGrants(p); !ok {
			return Request{}, apperr.Field("zone_id", "required")
		}
	}
	return s.file(ctx, zoneID, in, filer{userID: p.UserID, source: "api", reaches: sc.Reaches})
}

// FileMine files a request for the caller themselves (the phone pages): the
// requester is the person their account is bound to. An account bound to
// a person may file in its zone, to any park's points (routed to the
// nearest); an account without a person needs service_request.file, as
// with FileRequest. Returns EFORBIDDEN, EVALIDATION as FileRequest.
func (s *Service) FileMine(ctx context.Context, in FileInput) (Request, error) {
	p := access.From(ctx)
	if p == nil || p.PersonID == "" {
		in.RequesterID = ""
		return s.FileRequest(ctx, in)
	}
	in.RequesterID, in.ZoneID = p.PersonID, p.ZoneID
	return s.file(ctx, p.ZoneID, in, filer{userID: p.UserID, source: "api"})
}

func (s *Service) file(ctx context.Context, zoneID string, in FileInput, by filer) (Request, error) {
	var fs apperr.Fields
	in.check(&fs)
	if err := fs.Err(); err != nil {
		return Request{}, err
	}
	var out Request
	// Filing is group-committed (db.Group): concurrent requests share a
	// transaction and its commit, each in its own savepoint, each answered
	// after the commit.
	err := s.DB.Group(ctx, func(ctx context.Context, tx *db.Tx) error {
		zoneID := zoneID
		if zoneID == "" { // named by its point or park
			named := in.PointID
			if named == "" {
				named = in.ParkID
			}
			n, err := nodes.Get(ctx, tx, named)
			if err != nil {
				return apperr.Field(map[bool]string{true: "point_id", false: "park_id"}[in.PointID != ""], "unknown_value")
			}
			zoneID = n.ZoneID
		}
		if err := seedCatalogue(ctx, tx, zoneID); err != nil {
			return err
		}
		svc, err := serviceOf(ctx, tx, zoneID, in.ServiceCode, "service_code")
		if err != nil {
			return err
		}
		pt, err := route(ctx, tx, zoneID, in, by.reaches)
		if err != nil {
			return err
		}
		if in.RequesterID != "" {
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM people WHERE id = $1 AND zone_id = $2`, in.RequesterID, zoneID).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return apperr.Field("requester_id", "unknown_value")
			}
			if err != nil {
				return err
			}
		}
		id := uuid.Must(uuid.NewV7()).String()
		phone := ""
		if in.Contact.Phone != "" {
			phone = s.Keys.Seal(in.Contact.Phone)
		}
		var lat, lng sql.NullFloat64
		if l := in.Location.point(); l != nil {
			lat, lng = sql.NullFloat64{Float64: l.Lat, Valid: true}, sql.NullFloat64{Float64: l.Lng, Valid: true}
		}
		due := tx.Now.Add(hours(svc.SLAHours))
		if _, err := tx.ExecContext(ctx, `INSERT INTO service_requests (id, zone_id, park_id, point_id, service_code, description, requester_id,
			contact_name, contact_phone, address, lat, lng, status, due_at, source, created_by, api_key_id, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, 1, $18, $18)`,
			id, zoneID, pt.ParkID, pt.ID, svc.Code, in.Description, db.NullString(in.RequesterID), in.Contact.Name, phone, in.Address, lat, lng,
			Submitted, db.Micros(due), by.source, db.NullString(by.userID), db.NullString(by.apiKeyID), db.Micros(tx.Now)); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, id, zoneID, by.userID, "submit", ""); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: zoneID, Node: pt.ID, Entity: "service_request", EntityID: id, Action: "create",
			Summary: map[string]any{"service_code": svc.Code, "point_id": pt.ID, "source": by.source}}); err != nil {
			return err
		}
		// The filer may not be able to read the request through their
		// scope (a worker), so it is read back unscoped, by the id just
		// made, in the transaction (statements prepared once on SQLite).
		out, err = s.requestByID(ctx, tx, id)
		return err
	})
	if err != nil {
		return Request{}, err
	}
	return out, nil
}

// requestByID reads a request without a scope check: for callers that
// have already been authorised for it (the filer, an Open311 client).
func (s *Service) requestByID(ctx context.Context, q db.Querier, id string) (Request, error) {
	return s.readOne(ctx, q, true, "r.id = $1", db.Args{id})
}

func addEvent(ctx context.Context, tx *db.Tx, requestID, zoneID, actor, action, note string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO service_request_events (id, request_id, zone_id, at, actor_id, action, note) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		uuid.Must(uuid.NewV7()).String(), requestID, zoneID, db.Micros(tx.Now), db.NullString(actor), action, note)
	return err
}

// candidate is a point that may take a request.
type candidate struct {
	ID, ParkID, Kind, ParkPath string
	Lat, Lng                   sql.NullFloat64
}

// route picks the point a request lands at: the named point, which must
// offer the service; otherwise, among the points of the zone (of the
// park, when one is named) that offer it and lie in a park the filer
// reaches, the nearest to the request's location by great-circle
// distance (points without a location last). Without a location, the
// neighbourhood centre comes first. Ties go to the older point.
// Returns EVALIDATION naming point_id, park_id or service_code.
func route(ctx context.Context, tx *db.Tx, zoneID string, in FileInput, reaches func(string) bool) (candidate, error) {
	var a db.Args
	q := `SELECT p.id, p.park_id, p.kind, pk.path, p.lat, p.lng FROM service_points p
		JOIN service_point_services o ON o.point_id = p.id AND o.service_code = ` + a.Add(in.ServiceCode) + `
		JOIN scope_nodes pk ON pk.id = p.park_id
		WHERE p.zone_id = ` + a.Add(zoneID)
	if in.PointID != "" {
		q += " AND p.id = " + a.Add(in.PointID)
	}
	if in.ParkID != "" {
		q += " AND p.park_id = " + a.Add(in.ParkID)
	}
	var cs []candidate
	err := db.Each(ctx, tx, q+" ORDER BY p.id", a, func(sc db.Scanner) error {
		var c candidate
		if err := sc.Scan(&c.ID, &c.ParkID, &c.Kind, &c.ParkPath, &c.Lat, &c.Lng); err != nil {
			return err
		}
		if reaches == nil || reaches(c.ParkPath) {
			cs = append(cs, c)
		}
		return nil
	})
	if err != nil {
		return candidate{}, err
	}
	if len(cs) == 0 {
		switch {
		case in.PointID != "":
			return candidate{}, apperr.Field("point_id", "point_lacks_service")
		case in.ParkID != "":
			return candidate{}, apperr.Field("park_id", "no_point_offers")
		}
		return candidate{}, apperr.Field("service_code", "no_point_offers")
	}
	loc := in.Location.point()
	dist := func(c candidate) float64 {
		if loc == nil {
			if c.Kind == KindCenter {
				return 0
			}
			return 1
		}
		if !c.Lat.Valid || !c.Lng.Valid {
			return math.Inf(1)
		}
		return distance(loc.Lat, loc.Lng, c.Lat.Float64, c.Lng.Float64)
	}
	best := slices.MinFunc(cs, func(x, y candidate) int {
		dx, dy := dist(x), dist(y)
		switch {
		case dx < dy:
			return -1
		case dx > dy:
			return 1
		}
		return strings.Compare(x.ID, y.ID)
	})
	return best, nil
}

// ActionInput is one step on a request.
type ActionInput struct {
	Action     string
	AssigneeID string
	Note       string
	Rating     *int
}

// transitionRefused is the 409 of a step the workflow does not allow.
func transitionRefused(state, action string) error {
	return &apperr.Error{Code: apperr.Conflict, MessageID: "problem.transition_refused", Params: map[string]any{"State": state, "Action": action},
		Fields: []apperr.FieldError{{Field: "action", Code: "not_allowed_now"}}}
}

// Act takes one step of the workflow (Workflow). Staff steps need
// service_request.work over the request's point; party steps (close,
// reopen, rate) may also be taken by whoever filed the request. Returns
// ENOTFOUND (a request the caller cannot see), EFORBIDDEN (one they see
// but may not take this step on), EVALIDATION (unknown action, reject
// without a reason, assign without a fitting assignee, a rating outside
// 1–5 or on another action), ECONFLICT (a step the workflow does not allow
// from the request's state, a second rating).
func (s *Service) Act(ctx context.Context, id string, in ActionInput) (Request, error) {
	var fs apperr.Fields
	if !oneOf(in.Action, Actions) {
		fs.Add("action", "unknown_value")
	}
	valid.Text(&fs, "note", in.Note, MaxNote)
	switch {
	case in.Action == "rate" && in.Rating == nil:
		fs.Add("rating", "required")
	case in.Action == "rate" && (*in.Rating < 1 || *in.Rating > 5):
		fs.Add("rating", "out_of_range", "Min", 1, "Max", 5)
	case in.Action != "rate" && in.Rating != nil:
		fs.Add("rating", "only_for_action", "Action", "rate")
	}
	switch {
	case in.Action == "assign" && in.AssigneeID == "":
		fs.Add("assignee_id", "required")
	case in.Action != "assign" && in.AssigneeID != "":
		fs.Add("assignee_id", "only_for_action", "Action", "assign")
	}
	if in.Action == "reject" && strings.TrimSpace(in.Note) == "" {
		fs.Add("note", "reason_required")
	}
	p := access.From(ctx)
	var out Request
	// Grouped like filing (db.Group): a step is a handful of small writes,
	// and on SQLite concurrent steps share one commit.
	err := s.DB.Group(ctx, func(ctx context.Context, tx *db.Tx) error {
		old, err := s.visibleRequest(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := fs.Err(); err != nil {
			return err
		}
		staff := p.Scope(RequestWork).Covers(old.pointPath)
		step, ok := Workflow[old.Status][in.Action]
		if !ok {
			return transitionRefused(old.Status, in.Action)
		}
		if !staff && !(step.By == Party && own(p, old)) {
			return apperr.New(apperr.Forbidden, "")
		}
		if in.Action == "rate" && old.Rating != nil {
			return apperr.New(apperr.Conflict, "problem.already_rated")
		}
		if in.Action == "assign" {
			if err := checkAssignee(ctx, tx, in.AssigneeID, old.pointPath); err != nil {
				return err
			}
		}
		sets := []string{"status = $1", "version = version + 1", "updated_at = $2"}
		args := db.Args{step.Next, db.Micros(tx.Now)}
		switch in.Action {
		case "assign":
			sets = append(sets, "assignee_id = "+args.Add(in.AssigneeID))
		case "rate":
			sets = append(sets, "rating = "+args.Add(*in.Rating))
		case "reopen":
			svc, err := serviceOf(ctx, tx, old.ZoneID, old.ServiceCode, "service_code")
			if err != nil {
				return err
			}
			sets = append(sets, "due_at = "+args.Add(db.Micros(tx.Now.Add(hours(svc.SLAHours)))), "overdue_at = NULL", "rating = NULL")
		}
		// The state and version it was read in: a step taken by someone
		// else in between makes this one a refused transition, not a
		// double step.
		res, err := tx.ExecContext(ctx, `UPDATE service_requests SET `+strings.Join(sets, ", ")+` WHERE id = `+args.Add(id)+
			` AND status = `+args.Add(old.Status)+` AND version = `+args.Add(old.Version), args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return transitionRefused(old.Status, in.Action)
		}
		note := in.Note
		if in.Action == "rate" {
			note = strings.TrimSpace(stars(*in.Rating) + " " + in.Note)
		}
		if in.Action == "resolve" || in.Action == "reopen" {
			if err := countResolved(ctx, tx, old, in.Action == "resolve"); err != nil {
				return err
			}
		}
		if err := addEvent(ctx, tx, id, old.ZoneID, p.UserID, in.Action, note); err != nil {
			return err
		}
		summary := map[string]any{"status": audit.Change{From: old.Status, To: step.Next}}
		if in.AssigneeID != "" {
			summary["assignee_id"] = in.AssigneeID
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: old.ZoneID, Node: old.PointID, Entity: "service_request", EntityID: id, Action: in.Action,
			Summary: summary}); err != nil {
			return err
		}
		out, err = s.requestByID(ctx, tx, id)
		return err
	})
	return out, err
}

// countResolved moves requests_resolved in the 3.14π matrix, in the
// step's transaction: +1 when a request is resolved, counted at its point
// (a park-level place) under its service's function; -1 when it is
// reopened, on the day of the resolution it takes back, so that every
// period holds the resolutions that still stand.
func countResolved(ctx context.Context, tx *db.Tx, r Request, resolved bool) error {
	if resolved {
		return countResolvedAt(ctx, tx, r, tx.Now, 1)
	}
	var us int64
	if err := tx.QueryRowContext(ctx, `SELECT MAX(at) FROM service_request_events WHERE request_id = $1 AND action = 'resolve'`, r.ID).Scan(&us); err != nil {
		return err
	}
	return countResolvedAt(ctx, tx, r, db.FromMicros(us), -1)
}

// countResolvedAt adds delta to requests_resolved on at's day, at r's
// point under its service's function.
func countResolvedAt(ctx context.Context, tx *db.Tx, r Request, at time.Time, delta int64) error {
	svc, err := serviceOf(ctx, tx, r.ZoneID, r.ServiceCode, "service_code")
	if err != nil {
		return err
	}
	place, err := matrix.PlaceOf(ctx, tx, r.PointID)
	if err != nil {
		return err
	}
	return matrix.Add(ctx, tx, matrix.Fact{Place: place, Function: svc.Function, At: at, Figures: matrix.Figures{RequestsResolved: delta}})
}

// checkAssignee verifies that user may work requests at the point
// (zone_admin, park_admin or service_staff on a node above it).
func checkAssignee(ctx context.Context, tx *db.Tx, userID, pointPath string) error {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM grants g JOIN scope_nodes n ON n.id = g.scope_id WHERE g.user_id = $1 AND g.role IN ($2, $3, $4)
		AND substr(CAST($5 AS TEXT), 1, length(n.path)) = n.path`,
		userID, access.ZoneAdmin, access.ParkAdmin, access.ServiceStaff, pointPath).Scan(&n)
	if err != nil {
		return err
	}
	if n == 0 {
		return apperr.Field("assignee_id", "unknown_value")
	}
	return nil
}
