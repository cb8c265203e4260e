package people

import (
	"context"

	"tongxin/internal/access"
	"tongxin/internal/db"
	"tongxin/internal/page"
)

// ParkFilters returns the park filter of List with isMember, each as
// " AND …" with its arguments: as it was before migration 0160 (the
// enterprise or organisation in the park's subtree of scope nodes) and as
// it is (the park columns), with the statement counting the latter (the
// counts kept per park, migration 0220; nil for an id that is no park) and
// the latter as a union of index ranges (its predicates, with isArgs),
// for the test that they select and count the same people.
func ParkFilters(ctx context.Context, d *db.DB, park string, isMember *bool) (was string, wasArgs db.Args, is string, isArgs db.Args, count *page.Total, union []string, err error) {
	n, ok, err := filterNode(ctx, d.R, &was, park, access.KindPark)
	if err != nil {
		return
	}
	if ok {
		lo, hi := wasArgs.Add(n.Path), wasArgs.Add(n.Path[:len(n.Path)-1]+"0")
		in := "(SELECT id FROM scope_nodes WHERE path >= " + lo + " AND path < " + hi + ")"
		was += " AND (enterprise_id IN " + in + " OR org_id IN " + in + ")"
	}
	was += memberIs(isMember)
	_, count, union, err = inPark(ctx, d.R, d.Dialect, &is, &isArgs, park, isMember)
	return
}

// OrgFilters returns the organisation filter of List, each as " AND …"
// with its arguments: as it was before migration 0310 (org_id among the
// nodes of the organisation's subtree) and as it is (the org_path range),
// with the statement counting the latter (the counts kept per committee,
// migration 0390; "" for any other organisation), for the test that they
// select and count the same people.
func OrgFilters(ctx context.Context, d *db.DB, org string) (was string, wasArgs db.Args, is string, isArgs db.Args, count *page.Total, err error) {
	n, ok, err := filterNode(ctx, d.R, &was, org, access.KindOrg)
	if err != nil {
		return
	}
	if ok {
		lo, hi := wasArgs.Add(n.Path), wasArgs.Add(n.Path[:len(n.Path)-1]+"0")
		was += " AND org_id IN (SELECT id FROM scope_nodes WHERE path >= " + lo + " AND path < " + hi + ")"
	}
	_, count, err = underOrg(ctx, d.R, &is, &isArgs, org)
	return
}

// CommitteePathLen and CommitteePrefix are underOrg's, for the test that
// they name one length.
const CommitteePathLen, CommitteePrefix = committeePathLen, committeePrefix

// Scan is the scan of a person's row (cols), for the allocation test.
var Scan = scan

// OrgListIsLate reports whether List, as the caller in ctx, reads the
// rows of org's people for the page alone (page.Query.Late).
func (s *Service) OrgListIsLate(ctx context.Context, org string) (bool, error) {
	var a db.Args
	m, err := s.where(ctx, Filter{OrgID: org}, "", &a)
	return m.late, err
}
