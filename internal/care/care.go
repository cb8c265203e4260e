// Package care is talent and employee care (党建+人才, 家文化): mentoring
// pairs and project teams with the R&D figures of each enterprise, the
// workers' mutual-aid fund with its double-entry ledger, and childcare
// classes for workers' children. Every row belongs to an enterprise and,
// when one covers it, the party organisation running the work there: the
// enterprise's contacts and park staff, and the organisation's secretary,
// see it.
package care

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"io/fs"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/db"
	"tongxin/internal/i18n"
	"tongxin/internal/matrix"
	"tongxin/internal/page"
)

// Permissions of this domain.
var (
	// Read lets a caller see mentoring pairs, project teams, R&D figures
	// and childcare classes: every role, within its grants.
	Read = access.NewPerm("care.read", access.Everyone()...)
	// Manage lets a caller run them: zone and park administrators, and an
	// organisation's secretary for the enterprises it covers.
	Manage = access.NewPerm("care.manage", access.ZoneAdmin, access.ParkAdmin, access.OrgSecretary)
	// AidRead lets a caller see mutual-aid funds, applications and
	// statements — personal hardship, so fewer roles than Read.
	AidRead = access.NewPerm("aid.read", access.ZoneAdmin, access.ParkAdmin, access.OrgSecretary, access.Auditor)
	// AidManage lets a caller open funds, book contributions, file an
	// application for a worker, approve, reject and disburse.
	AidManage = access.NewPerm("aid.manage", access.ZoneAdmin, access.ParkAdmin, access.OrgSecretary)
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations holds this domain's tables.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err)
	}
	return sub
}

//go:embed locales/*.json
var locales embed.FS

// Locales holds this domain's messages.
func Locales() fs.FS { return i18n.Dir(locales) }

// Service holds talent, mutual-aid and childcare operations.
type Service struct{ DB *db.DB }

// attach: rows lie under their enterprise and their organisation.
var attach = []access.Attach{access.ByNode("enterprise_id"), access.ByNode("org_id")}

func scoped(ctx context.Context, perm access.Perm, a *db.Args) string {
	return access.From(ctx).Scope(perm).Where(a, attach...)
}

// owner is where a new row belongs.
type owner struct {
	ZoneID       string
	EnterpriseID string
	OrgID        *string
}

// ownerOf checks that the caller holds perm over the enterprise (directly,
// or through the party organisation covering it) and returns where a row
// of it belongs. orgID, when given, must be an organisation covering the
// enterprise; when not, the first covering one is taken (none: no org).
// Returns EVALIDATION (enterprise_id or org_id unknown_value: absent, or
// out of the caller's scope — the same answer).
func ownerOf(ctx context.Context, q db.Querier, perm access.Perm, enterpriseID, orgID string) (owner, error) {
	if enterpriseID == "" {
		return owner{}, apperr.Field("enterprise_id", "required")
	}
	var o owner
	var entPath string
	err := q.QueryRowContext(ctx, `SELECT e.zone_id, n.path FROM enterprises e JOIN scope_nodes n ON n.id = e.id WHERE e.id = $1`,
		enterpriseID).Scan(&o.ZoneID, &entPath)
	if errors.Is(err, sql.ErrNoRows) {
		return o, apperr.Field("enterprise_id", "unknown_value")
	}
	if err != nil {
		return o, err
	}
	o.EnterpriseID = enterpriseID
	var org, orgPath string
	if orgID != "" {
		err = q.QueryRowContext(ctx, `SELECT oe.org_id, n.path FROM org_enterprises oe JOIN scope_nodes n ON n.id = oe.org_id
			WHERE oe.enterprise_id = $1 AND oe.org_id = $2`, enterpriseID, orgID).Scan(&org, &orgPath)
		if errors.Is(err, sql.ErrNoRows) {
			return o, apperr.Field("org_id", "unknown_value")
		}
	} else {
		err = q.QueryRowContext(ctx, `SELECT oe.org_id, n.path FROM org_enterprises oe JOIN scope_nodes n ON n.id = oe.org_id
			WHERE oe.enterprise_id = $1 ORDER BY oe.org_id LIMIT 1`, enterpriseID).Scan(&org, &orgPath)
		if errors.Is(err, sql.ErrNoRows) {
			err = nil
		}
	}
	if err != nil {
		return o, err
	}
	if org != "" {
		o.OrgID = &org
	}
	sc := access.From(ctx).Scope(perm)
	if !sc.Covers(entPath) && (org == "" || !sc.Covers(orgPath)) {
		return o, apperr.Field("enterprise_id", "unknown_value")
	}
	return o, nil
}

// workerOf checks that person is a worker of the enterprise: EVALIDATION
// unknown_value on field otherwise.
func workerOf(ctx context.Context, q db.Querier, field, personID, enterpriseID string) error {
	if personID == "" {
		return apperr.Field(field, "required")
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM people WHERE id = $1 AND enterprise_id = $2`, personID, enterpriseID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return apperr.Field(field, "unknown_value")
	}
	return nil
}

// personName returns a person's name ("" when unknown).
func personName(ctx context.Context, q db.Querier, id string) string {
	var name string
	q.QueryRowContext(ctx, `SELECT name FROM people WHERE id = $1`, id).Scan(&name)
	return name
}

// getScoped reads one row of table the caller may act on under perm:
// ENOTFOUND when they may not even read it under read, EFORBIDDEN when
// they may only read it.
func getScoped[T any](ctx context.Context, q db.Querier, perm, read access.Perm, table, cols, id string, scan func(page.Scanner) (T, error)) (T, error) {
	for _, pm := range []access.Perm{perm, read} {
		var a db.Args
		where := scoped(ctx, pm, &a)
		x, err := scan(q.QueryRowContext(ctx, `SELECT `+cols+` FROM `+table+` WHERE id = `+a.Add(id)+` AND `+where, a...))
		if errors.Is(err, sql.ErrNoRows) {
			if pm == read {
				break
			}
			continue
		}
		if err != nil {
			return x, err
		}
		if pm != perm {
			return x, apperr.New(apperr.Forbidden, "")
		}
		return x, nil
	}
	var zero T
	return zero, apperr.New(apperr.NotFound, "")
}

// filler completes rows read from their own table with what other tables
// hold for them (a class's sessions, a pair's reviews, a team's members).
type filler[T any] func(context.Context, db.Querier, []T) error

// positions maps each row's id to its index in xs and lists the ids, for
// a filler's query of the rows' children (… IN (ids)).
func positions[T any](xs []T, id func(T) string) (map[string]int, []string) {
	at := make(map[string]int, len(xs))
	ids := make([]string, len(xs))
	for i, x := range xs {
		at[id(x)], ids[i] = i, id(x)
	}
	return at, ids
}

// listFilled is page.Rows followed by fill over the page's rows.
func listFilled[T any](ctx context.Context, q db.Querier, p page.Page, lq page.Query, scan func(page.Scanner) (T, error), key func(T) (any, string), fill filler[T]) (page.List[T], error) {
	l, err := page.Rows(ctx, q, p, lq, scan, key)
	if err != nil {
		return l, err
	}
	return l, fill(ctx, q, l.Items)
}

// getFilled is getScoped (read being Read) followed by fill: the row comes
// filled with EFORBIDDEN too, as getScoped's does.
func getFilled[T any](ctx context.Context, q db.Querier, perm access.Perm, table, cols, id string, scan func(page.Scanner) (T, error), fill filler[T]) (T, error) {
	x, err := getScoped(ctx, q, perm, Read, table, cols, id, scan)
	if err != nil && !apperr.Is(err, apperr.Forbidden) {
		return x, err
	}
	xs := []T{x}
	if ferr := fill(ctx, q, xs); ferr != nil {
		return x, ferr
	}
	return xs[0], err
}

// fillOne fills one row.
func fillOne[T any](ctx context.Context, q db.Querier, x T, fill filler[T]) (T, error) {
	xs := []T{x}
	err := fill(ctx, q, xs)
	return xs[0], err
}

// count moves the matrix's care-items figure of the enterprise by delta,
// for function, on the day at.
func count(ctx context.Context, tx *db.Tx, enterpriseID, function string, at time.Time, delta int64) error {
	place, err := matrix.PlaceOf(ctx, tx, enterpriseID)
	if err != nil {
		return err
	}
	return matrix.Add(ctx, tx, matrix.Fact{Place: place, Function: function, At: at, Figures: matrix.Figures{CareItems: delta}})
}

// checkDate adds invalid_date for s when it is not "" and not a date.
func checkDate(fs *apperr.Fields, field, s string) {
	if s == "" {
		return
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		fs.Add(field, "invalid_date")
	}
}

func nullStr(v sql.NullString) *string {
	if !v.Valid {
		return nil
	}
	return &v.String
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// updated checks that a conditional UPDATE … WHERE version = old hit its
// row: ECONFLICT when another write moved it first.
func updated(res sql.Result) error {
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.New(apperr.Conflict, "problem.changed_meanwhile")
	}
	return nil
}

// self returns the person the caller's account is bound to, with the
// enterprise they work for: ENOTFOUND for an account bound to nobody or a
// person of no enterprise.
func self(ctx context.Context, q db.Querier) (personID, enterpriseID, zoneID string, err error) {
	p := access.From(ctx)
	if p == nil || p.PersonID == "" {
		return "", "", "", apperr.New(apperr.NotFound, "")
	}
	var ent sql.NullString
	err = q.QueryRowContext(ctx, `SELECT enterprise_id, zone_id FROM people WHERE id = $1`, p.PersonID).Scan(&ent, &zoneID)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !ent.Valid) {
		return "", "", "", apperr.New(apperr.NotFound, "")
	}
	return p.PersonID, ent.String, zoneID, err
}
