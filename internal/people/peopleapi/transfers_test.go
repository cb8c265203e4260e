package peopleapi_test

import (
	"strings"
	"testing"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/client"
	"tongxin/internal/testenv"
)

func TestTransfersAndHistory(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		r := newRoster(t, dsn)
		admin := r.srv.Admin()
		secW := r.srv.User("sec-wuli", access.OrgSecretary, r.branchW)

		// Within the zone, to a branch under the secretary's own.
		tr, err := secW.TransferPerson(ctx, r.memW.ID, map[string]any{"to_org_id": r.subBranchW, "on_date": "2024-03-01", "note": "调岗"})
		if err != nil || tr.Kind != "within" || tr.FromOrgID == nil || *tr.FromOrgID != r.branchW || tr.ToOrgID == nil ||
			*tr.ToOrgID != r.subBranchW || tr.ToOrgName != "恒毅机械第二党支部" || tr.FromOrgName != "恒毅机械党支部" || tr.ActorID == nil {
			t.Fatalf("within: %+v %v", tr, err)
		}
		p, _ := admin.GetPerson(ctx, r.memW.ID, false)
		if p.Party == nil || p.Party.OrgID != r.subBranchW || p.Party.Status != "full" || p.Party.JoinedOn != "2010-07-01" || p.Version != 2 {
			t.Fatalf("after within: %+v %+v", p, p.Party)
		}
		// Not to a branch beyond the secretary's reach; the zone may.
		_, err = secW.TransferPerson(ctx, r.memW.ID, map[string]any{"to_org_id": r.branchA, "on_date": "2024-04-01"})
		if pr := testenv.Problem(err); client.StatusOf(err) != 422 || pr.Errors[0].Field != "to_org_id" || pr.Errors[0].Code != "unknown_value" {
			t.Fatalf("secretary transferring beyond their reach: %v %+v", err, pr.Errors)
		}
		if _, err := admin.TransferPerson(ctx, r.memW.ID, map[string]any{"to_org_id": r.branchA, "on_date": "2024-04-01"}); err != nil {
			t.Fatal(err)
		}
		// The member now belongs to 安东: the 五里 secretary no longer sees them.
		_, err = secW.GetPerson(ctx, r.memW.ID, false)
		testenv.WantStatus(t, err, 404)
		secA := r.srv.User("sec-andong", access.OrgSecretary, r.branchA)
		if _, err := secA.GetPerson(ctx, r.memW.ID, false); err != nil {
			t.Fatalf("the receiving secretary: %v", err)
		}
		// Out of the zone: the membership here ends, the person stays.
		tr, err = secA.TransferPerson(ctx, r.memW.ID, map[string]any{"outside_org": "厦门市某党支部", "on_date": "2024-05-01"})
		if err != nil || tr.Kind != "out" || tr.ToOrgID != nil || tr.OutsideOrg != "厦门市某党支部" {
			t.Fatalf("out: %+v %v", tr, err)
		}
		p, err = admin.GetPerson(ctx, r.memW.ID, false)
		if err != nil || p.Party != nil || p.EnterpriseID == nil {
			t.Fatalf("after out: %+v %v", p, err)
		}
		// Into the zone from outside: a non-member becomes a member.
		tr, err = admin.TransferPerson(ctx, r.memW.ID, map[string]any{"to_org_id": r.branchW, "outside_org": "厦门市某党支部",
			"status": "probationary", "joined_on": time.Now().AddDate(0, -10, 0).Format(time.DateOnly), "on_date": "2024-06-01"})
		if err != nil || tr.Kind != "in" || tr.FromOrgID != nil {
			t.Fatalf("in: %+v %v", tr, err)
		}
		p, _ = admin.GetPerson(ctx, r.memW.ID, false)
		if p.Party == nil || p.Party.OrgID != r.branchW || p.Party.Status != "probationary" || p.Version != 5 {
			t.Fatalf("after in: %+v", p)
		}
		h, err := admin.ListTransfers(ctx, r.memW.ID, nil)
		if err != nil || h.Total != 4 {
			t.Fatalf("history: %+v %v", h, err)
		}
		var kinds []string
		for _, x := range h.Items {
			kinds = append(kinds, x.Kind)
		}
		if strings.Join(kinds, ",") != "in,out,within,within" {
			t.Fatalf("history newest first: %v", kinds)
		}
		if n := r.srv.Count("audit_log", "action = 'transfer' AND entity_id = $1", r.memW.ID); n != 4 {
			t.Fatalf("%d transfer audit entries", n)
		}
		// The partner of the enterprise reads the history; a park
		// administrator elsewhere does not.
		partner := r.srv.User("partner-wuli", access.Partner, r.entW)
		if h, err := partner.ListTransfers(ctx, r.memW.ID, nil); err != nil || h.Total != 4 {
			t.Fatalf("partner history: %+v %v", h, err)
		}
		_, err = partner.TransferPerson(ctx, r.memW.ID, map[string]any{"outside_org": "外地", "on_date": "2024-07-01"})
		testenv.WantStatus(t, err, 403)
		// A stale If-Match is refused.
		_, err = admin.Do(ctx, "POST", "/api/v1/people/"+r.memW.ID+"/transfers", map[string]any{"outside_org": "外地", "on_date": "2024-07-01"},
			nil, map[string][]string{"If-Match": {`"1"`}})
		testenv.WantStatus(t, err, 412)
	})
}

func TestTransferBadInputChangesNothing(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		r := newRoster(t, dsn)
		admin := r.srv.Admin()
		tomorrow := time.Now().AddDate(0, 0, 2).Format(time.DateOnly)
		old := time.Now().AddDate(-3, 0, 0).Format(time.DateOnly)
		mem, worker := "/api/v1/people/"+r.memW.ID+"/transfers", "/api/v1/people/"+r.workerW.ID+"/transfers"
		cases := []struct {
			name, path, body string
			status           int
			field, code      string
		}{
			{"no date", mem, `{"to_org_id":"` + r.subBranchW + `"}`, 422, "on_date", "required"},
			{"bad date", mem, `{"to_org_id":"` + r.subBranchW + `","on_date":"2024-13-01"}`, 422, "on_date", "invalid_date"},
			{"future date", mem, `{"to_org_id":"` + r.subBranchW + `","on_date":"` + tomorrow + `"}`, 422, "on_date", "in_future"},
			{"same org", mem, `{"to_org_id":"` + r.branchW + `","on_date":"2024-01-01"}`, 422, "to_org_id", "same_org"},
			{"unknown org", mem, `{"to_org_id":"` + r.entW + `","on_date":"2024-01-01"}`, 422, "to_org_id", "unknown_value"},
			{"nowhere", mem, `{"on_date":"2024-01-01"}`, 422, "to_org_id", "required"},
			{"both", mem, `{"to_org_id":"` + r.subBranchW + `","outside_org":"外地","on_date":"2024-01-01"}`, 422, "outside_org", "not_applicable"},
			{"status for a member", mem, `{"to_org_id":"` + r.subBranchW + `","status":"full","on_date":"2024-01-01"}`, 422, "status", "not_applicable"},
			{"long outside org", mem, `{"outside_org":"` + strings.Repeat("外", 101) + `","on_date":"2024-01-01"}`, 422, "outside_org", "too_long"},
			{"long note", mem, `{"outside_org":"外地","note":"` + strings.Repeat("注", 501) + `","on_date":"2024-01-01"}`, 422, "note", "too_long"},
			{"unknown field", mem, `{"outside_org":"外地","on_date":"2024-01-01","from_org_id":"x"}`, 400, "from_org_id", "unknown_field"},
			{"in without origin", worker, `{"to_org_id":"` + r.branchW + `","status":"full","joined_on":"2020-01-01","on_date":"2024-01-01"}`, 422, "outside_org", "required"},
			{"in without org", worker, `{"outside_org":"外地","status":"full","joined_on":"2020-01-01","on_date":"2024-01-01"}`, 422, "to_org_id", "required"},
			{"in without status", worker, `{"to_org_id":"` + r.branchW + `","outside_org":"外地","joined_on":"2020-01-01","on_date":"2024-01-01"}`, 422, "status", "required"},
			{"in without join date", worker, `{"to_org_id":"` + r.branchW + `","outside_org":"外地","status":"full","on_date":"2024-01-01"}`, 422, "joined_on", "required"},
			{"in probation too long", worker, `{"to_org_id":"` + r.branchW + `","outside_org":"外地","status":"probationary","joined_on":"` + old + `","on_date":"2024-01-01"}`, 422, "joined_on", "probation_too_long"},
			{"in other zone's org", worker, `{"to_org_id":"nope","outside_org":"外地","status":"full","joined_on":"2020-01-01","on_date":"2024-01-01"}`, 422, "to_org_id", "unknown_value"},
			{"missing person", "/api/v1/people/nope/transfers", `{"outside_org":"外地","on_date":"2024-01-01"}`, 404, "", ""},
		}
		people, transfers, audits := r.srv.Count("people", "version = 1"), r.srv.Count("party_transfers"), r.srv.Count("audit_log")
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				status, _, body := testenv.Raw(t, admin, "POST", tc.path, tc.body, map[string]string{"Content-Type": "application/json"})
				if status != tc.status {
					t.Fatalf("status %d, want %d: %s", status, tc.status, body)
				}
				if tc.field != "" && !strings.Contains(body, `"field":"`+tc.field+`","code":"`+tc.code+`"`) {
					t.Fatalf("body lacks %s/%s: %s", tc.field, tc.code, body)
				}
			})
		}
		if r.srv.Count("people", "version = 1") != people || r.srv.Count("party_transfers") != transfers || r.srv.Count("audit_log") != audits {
			t.Fatal("bad transfers changed something")
		}
	})
}
