package arteryapi_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"tongxin/internal/access"
	"tongxin/internal/client"
	"tongxin/internal/tabular/tabulartest"
	"tongxin/internal/testenv"
)

var ctx = context.Background()

// world: a zone with two parks; a chain 装备 with three stages; an
// institute; enterprises placed at known points.
type world struct {
	srv                                       *testenv.Server
	admin                                     *client.Client
	andong, wuli                              client.Park
	haina, jilong, chengda, xintai, hongsheng string
	chain                                     client.Chain
	institute                                 client.Institute
}

func (w world) segment(name string) string {
	for _, s := range w.chain.Segments {
		if s.Name == name {
			return s.ID
		}
	}
	panic("no segment " + name)
}

func (w world) locate(t *testing.T, id string, lat, lng float64) {
	t.Helper()
	if _, err := w.srv.DB.W.Exec(`UPDATE enterprises SET lat = $1, lng = $2 WHERE id = $3`, lat, lng, id); err != nil {
		t.Fatal(err)
	}
}

func newWorld(t *testing.T, dsn string) world {
	srv := testenv.Start(t, dsn)
	w := world{srv: srv, admin: srv.Admin(), andong: srv.Park("安东园", "andong"), wuli: srv.Park("五里园", "wuli")}
	w.haina = srv.Enterprise(w.andong.ID, "海纳机械")
	w.jilong = srv.Enterprise(w.andong.ID, "佶龙机械")
	w.chengda = srv.Enterprise(w.andong.ID, "成达齿轮")
	w.xintai = srv.Enterprise(w.wuli.ID, "信泰集团")
	w.hongsheng = srv.Enterprise(w.wuli.ID, "红晟鞋业")
	w.locate(t, w.haina, 24.780, 118.550)
	w.locate(t, w.jilong, 24.782, 118.552)
	w.locate(t, w.chengda, 24.900, 118.700)
	var err error
	w.chain, err = w.admin.CreateChain(ctx, map[string]any{"name": "装备制造", "segments": []map[string]any{
		{"stage": "upstream", "name": "零部件", "enterprise_ids": []string{w.chengda}},
		{"stage": "midstream", "name": "整机制造", "enterprise_ids": []string{w.haina, w.jilong}},
		{"stage": "downstream", "name": "应用服务"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	w.institute, err = w.admin.CreateInstitute(ctx, map[string]any{"name": "泉州装备所", "address": "泉州", "location": map[string]float64{"lat": 24.87, "lng": 118.67}})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func (w world) listing(t *testing.T, c *client.Client, body map[string]any) client.Listing {
	t.Helper()
	l, err := c.CreateListing(ctx, body)
	if err != nil {
		t.Fatalf("listing %v: %v", body["title"], err)
	}
	return l
}

func TestChainsSegmentsAndMap(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		c := w.chain
		if len(c.Segments) != 3 || c.Segments[1].Stage != "midstream" || len(c.Segments[1].EnterpriseIDs) != 2 || c.Version != 1 {
			t.Fatalf("created %+v", c)
		}
		// Rename a segment, swap names, add one, keep ids.
		segs := []map[string]any{
			{"id": c.Segments[0].ID, "stage": "upstream", "name": "整机制造", "enterprise_ids": []string{w.chengda}},
			{"id": c.Segments[1].ID, "stage": "midstream", "name": "零部件", "enterprise_ids": []string{w.haina}},
			{"id": c.Segments[2].ID, "stage": "downstream", "name": "应用服务"},
			{"stage": "downstream", "name": "售后"},
		}
		up, err := w.admin.UpdateChain(ctx, c.ID, map[string]any{"segments": segs}, 1)
		if err != nil || up.Version != 2 || len(up.Segments) != 4 || up.Segments[0].ID != c.Segments[0].ID || up.Segments[0].Name != "整机制造" ||
			!slices.Equal(up.Segments[1].EnterpriseIDs, []string{w.haina}) {
			t.Fatalf("update %+v %v", up, err)
		}
		// A segment a listing names cannot go.
		w.listing(t, w.admin, map[string]any{"kind": "need", "category": "technology", "title": "售后服务", "enterprise_id": w.haina, "segment_id": up.Segments[3].ID})
		_, err = w.admin.UpdateChain(ctx, c.ID, map[string]any{"segments": segs[:3]}, 2)
		testenv.WantStatus(t, err, 409)
		testenv.WantStatus(t, w.admin.DeleteChain(ctx, c.ID, 2), 409)
		// The map: gaps by the rule.
		m, err := w.admin.GetChainMap(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for _, g := range m.Gaps {
			kinds[g.Kind]++
		}
		// 整机制造(1: strengthen), 零部件(1: strengthen), 应用服务 and 售后 empty (fill); every stage has a segment.
		if kinds["fill"] != 2 || kinds["strengthen"] != 2 || kinds["extend"] != 0 || len(m.Enterprises) != 2 {
			t.Fatalf("gaps %+v enterprises %+v", m.Gaps, m.Enterprises)
		}
		// The map as a file: a row per segment enterprise, empty segments on their own, gaps named.
		_, b := tabulartest.Download(t, w.admin, "/api/v1/chains/"+c.ID+"/map/export?format=csv")
		rows := tabulartest.ReadCSV(t, b)
		want := [][]string{{"位置", "环节", "企业", "链上合作数", "缺口"},
			{"上游", "整机制造", "成达齿轮", "0", "强链"},
			{"中游", "零部件", "海纳机械", "0", "强链"},
			{"下游", "应用服务", "", "", "补链"},
			{"下游", "售后", "", "", "补链"}}
		if !slices.EqualFunc(rows, want, slices.Equal) {
			t.Fatalf("export %q", rows)
		}
		_, b = tabulartest.Download(t, w.admin, "/api/v1/chains/"+c.ID+"/map/export")
		if _, rows := tabulartest.ReadXLSX(t, b); len(rows) != 5 {
			t.Fatalf("xlsx rows %q", rows)
		}
		// A chain with only an upstream segment lacks two stages.
		short, err := w.admin.CreateChain(ctx, map[string]any{"name": "食品", "segments": []map[string]any{{"stage": "upstream", "name": "原料", "enterprise_ids": []string{w.xintai, w.hongsheng, w.haina}}}})
		if err != nil {
			t.Fatal(err)
		}
		m, _ = w.admin.GetChainMap(ctx, short.ID)
		if len(m.Gaps) != 2 || m.Gaps[0].Kind != "extend" || m.Gaps[0].Stage != "midstream" || m.Gaps[1].Stage != "downstream" {
			t.Fatalf("short chain gaps %+v", m.Gaps)
		}
		en := *w.admin
		en.Lang = "en"
		_, b = tabulartest.Download(t, &en, "/api/v1/chains/"+short.ID+"/map/export?format=csv")
		if rows := tabulartest.ReadCSV(t, b); len(rows) != 6 || rows[0][0] != "Stage" || rows[4][4] != "Extend (延链)" || rows[5][0] != "downstream" {
			t.Fatalf("english export %q", rows)
		}
		// Name taken; search; a park administrator sees no chain (they hang under the zone).
		_, err = w.admin.CreateChain(ctx, map[string]any{"name": "食品"})
		testenv.WantStatus(t, err, 409)
		l, err := w.admin.ListChains(ctx, url.Values{"q": {"shipin"}})
		if err != nil || l.Total != 1 || l.Items[0].ID != short.ID {
			t.Fatalf("search %+v %v", l, err)
		}
		park := w.srv.User("parkadmin", access.ParkAdmin, w.andong.ID)
		if l, err := park.ListChains(ctx, nil); err != nil || l.Total != 0 {
			t.Fatalf("park admin chains %+v %v", l, err)
		}
		_, err = park.CreateChain(ctx, map[string]any{"name": "家居"})
		testenv.WantStatus(t, err, 403)
	})
}

func TestBadInputChangesNothing(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		tables := []string{"chains", "chain_segments", "segment_enterprises", "institutes", "listings", "listing_changes", "matches", "cooperations",
			"cooperation_parties", "cooperation_milestones", "audit_log"}
		count := func() []int {
			var out []int
			for _, tb := range tables {
				out = append(out, w.srv.Count(tb))
			}
			return out
		}
		otherZone := w.srv.Zone("他区")
		otherPark, err := w.admin.CreatePark(ctx, map[string]string{"zone_id": otherZone, "name": "他园", "code": "other"})
		if err != nil {
			t.Fatal(err)
		}
		foreign := w.srv.Enterprise(otherPark.ID, "他区企业")
		posted := w.listing(t, w.admin, map[string]any{"kind": "need", "category": "technology", "title": "售后服务", "enterprise_id": w.haina})
		before := count()
		for _, tc := range []struct {
			name, field string
			call        func() error
		}{
			{"chain without name", "name", func() error { _, err := w.admin.CreateChain(ctx, map[string]any{"name": " "}); return err }},
			{"bad stage", "segments.stage", func() error {
				_, err := w.admin.CreateChain(ctx, map[string]any{"name": "鞋服", "segments": []map[string]any{{"stage": "sideways", "name": "x"}}})
				return err
			}},
			{"duplicate segment", "segments.name", func() error {
				_, err := w.admin.CreateChain(ctx, map[string]any{"name": "鞋服", "segments": []map[string]any{{"stage": "upstream", "name": "面料"}, {"stage": "midstream", "name": "面料"}}})
				return err
			}},
			{"enterprise of another zone", "segments.enterprise_ids", func() error {
				_, err := w.admin.CreateChain(ctx, map[string]any{"name": "鞋服", "zone_id": w.srv.ZoneID, "segments": []map[string]any{{"stage": "upstream", "name": "面料", "enterprise_ids": []string{foreign}}}})
				return err
			}},
			{"institute location", "location.lat", func() error {
				_, err := w.admin.CreateInstitute(ctx, map[string]any{"name": "x", "zone_id": w.srv.ZoneID, "location": map[string]float64{"lat": 91, "lng": 1}})
				return err
			}},
			{"listing kind", "kind", func() error {
				_, err := w.admin.CreateListing(ctx, map[string]any{"kind": "wish", "category": "technology", "title": "x", "enterprise_id": w.haina})
				return err
			}},
			{"listing category", "category", func() error {
				_, err := w.admin.CreateListing(ctx, map[string]any{"kind": "need", "category": "love", "title": "x", "enterprise_id": w.haina})
				return err
			}},
			{"two owners", "enterprise_id", func() error {
				_, err := w.admin.CreateListing(ctx, map[string]any{"kind": "need", "category": "technology", "title": "x", "enterprise_id": w.haina, "institute_id": w.institute.ID})
				return err
			}},
			{"no owner", "enterprise_id", func() error {
				_, err := w.admin.CreateListing(ctx, map[string]any{"kind": "need", "category": "technology", "title": "x"})
				return err
			}},
			{"bad date", "valid_until", func() error {
				_, err := w.admin.CreateListing(ctx, map[string]any{"kind": "need", "category": "technology", "title": "x", "enterprise_id": w.haina, "valid_until": "2026-02-30"})
				return err
			}},
			{"until before from", "valid_until", func() error {
				_, err := w.admin.CreateListing(ctx, map[string]any{"kind": "need", "category": "technology", "title": "x", "enterprise_id": w.haina, "valid_from": "2026-05-01", "valid_until": "2026-04-01"})
				return err
			}},
			{"segment of no chain", "segment_id", func() error {
				_, err := w.admin.CreateListing(ctx, map[string]any{"kind": "need", "category": "technology", "title": "x", "enterprise_id": w.haina, "segment_id": "nope"})
				return err
			}},
			{"title with control chars", "title", func() error {
				_, err := w.admin.CreateListing(ctx, map[string]any{"kind": "need", "category": "technology", "title": "a\u202eb", "enterprise_id": w.haina})
				return err
			}},
			{"match of nothing", "need_id", func() error {
				_, err := w.admin.CreateMatch(ctx, map[string]any{"need_id": "nope", "offer_id": "nope"})
				return err
			}},
			{"one party", "enterprise_ids", func() error {
				_, err := w.admin.CreateCooperation(ctx, map[string]any{"type": "chain", "title": "x", "enterprise_ids": []string{w.haina}})
				return err
			}},
			{"cooperation type", "type", func() error {
				_, err := w.admin.CreateCooperation(ctx, map[string]any{"type": "产学研", "title": "x", "enterprise_ids": []string{w.haina, w.jilong}})
				return err
			}},
			{"listing status", "status", func() error {
				_, err := w.admin.UpdateListing(ctx, posted.ID, map[string]any{"status": "paused"}, posted.Version)
				return err
			}},
			{"milestone date", "milestones.due_on", func() error {
				_, err := w.admin.CreateCooperation(ctx, map[string]any{"type": "chain", "title": "x", "enterprise_ids": []string{w.haina, w.jilong},
					"milestones": []map[string]any{{"title": "样机", "due_on": "soon"}}})
				return err
			}},
		} {
			err := tc.call()
			testenv.WantStatus(t, err, 422)
			p := testenv.Problem(err)
			if len(p.Errors) == 0 || p.Errors[0].Field != tc.field || p.Errors[0].Message == "" || strings.Contains(p.Errors[0].Message, "field_error") {
				t.Fatalf("%s: %+v", tc.name, p)
			}
		}
		// In English too.
		w.admin.Lang = "en"
		_, err = w.admin.CreateListing(ctx, map[string]any{"kind": "need", "category": "technology", "title": "x"})
		if p := testenv.Problem(err); len(p.Errors) == 0 || !strings.Contains(p.Errors[0].Message, "publisher") {
			t.Fatalf("english %+v", p)
		}
		if after := count(); !slices.Equal(before, after) {
			t.Fatalf("bad input changed rows: %v → %v", before, after)
		}
	})
}

func TestRankingExplainsItself(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		need := w.listing(t, w.admin, map[string]any{"kind": "need", "category": "technology", "title": "数控机床智能化改造",
			"text": "整机装配线需要数控机床的智能化改造技术和精度提升，提升加工精度。", "enterprise_id": w.haina, "segment_id": w.segment("整机制造")})
		// The institute: same words; 成达: the neighbouring segment, other words; 佶龙: same segment, next door;
		// 信泰: nothing in common; a closed offer and an expired one with the same words.
		inst := w.listing(t, w.admin, map[string]any{"kind": "offer", "category": "technology", "title": "数控机床智能化改造方案",
			"text": "提供数控系统与机床智能化改造、精度提升技术服务。", "institute_id": w.institute.ID})
		parts := w.listing(t, w.admin, map[string]any{"kind": "offer", "category": "material", "title": "精密齿轮供应",
			"text": "可为整机厂供应精密齿轮和传动件。", "enterprise_id": w.chengda, "segment_id": w.segment("零部件")})
		peer := w.listing(t, w.admin, map[string]any{"kind": "offer", "category": "capacity", "title": "富余装配产能",
			"text": "装配车间有富余产能，可承接整机装配。", "enterprise_id": w.jilong, "segment_id": w.segment("整机制造")})
		w.listing(t, w.admin, map[string]any{"kind": "offer", "category": "talent", "title": "鞋服设计人才共享", "text": "设计师团队", "enterprise_id": w.xintai})
		closed := w.listing(t, w.admin, map[string]any{"kind": "offer", "category": "technology", "title": "数控机床智能化改造", "enterprise_id": w.xintai})
		if _, err := w.admin.UpdateListing(ctx, closed.ID, map[string]any{"status": "closed"}, 1); err != nil {
			t.Fatal(err)
		}
		w.listing(t, w.admin, map[string]any{"kind": "offer", "category": "technology", "title": "数控机床智能化改造", "enterprise_id": w.hongsheng, "valid_until": "2020-01-01"})
		// Another need of the same words never comes back for a need.
		w.listing(t, w.admin, map[string]any{"kind": "need", "category": "technology", "title": "数控机床智能化改造", "enterprise_id": w.jilong})

		ps, err := w.admin.Proposals(ctx, need.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, p := range ps.Items {
			ids = append(ids, p.Listing.ID)
		}
		if !slices.Equal(ids, []string{inst.ID, peer.ID, parts.ID}) {
			t.Fatalf("ranking %v, want institute, peer, parts (%v)", ids, ps.Items)
		}
		top := ps.Items[0]
		// Phrases are whole runs of shared bigrams, without a joining 和 at an end.
		if top.Reasons[0].Code != "shared_terms" || !slices.Contains(top.Reasons[0].Terms, "数控机床智能化改造") || !slices.Contains(top.Reasons[0].Terms, "精度提升") ||
			!strings.Contains(top.Explanation["zh-CN"], "共同关键词：数控机床智能化改造") || !strings.Contains(top.Explanation["en"], "Shared terms") ||
			!strings.Contains(top.Explanation["zh-CN"], "相距约") || top.Listing.OwnerName != "泉州装备所" {
			t.Fatalf("top %+v", top)
		}
		codes := func(p client.Proposal) []string {
			var out []string
			for _, r := range p.Reasons {
				out = append(out, r.Code)
			}
			return out
		}
		if c := codes(ps.Items[1]); !slices.Contains(c, "same_segment") || !slices.Contains(c, "distance") ||
			!strings.Contains(ps.Items[1].Explanation["zh-CN"], "同处产业链中游“整机制造”环节") || !strings.Contains(ps.Items[1].Explanation["zh-CN"], "相距约 0.3 公里") {
			t.Fatalf("peer %v %q", c, ps.Items[1].Explanation)
		}
		if c := codes(ps.Items[2]); !slices.Contains(c, "adjacent_segment") ||
			!strings.Contains(ps.Items[2].Explanation["zh-CN"], "对方在上游“零部件”，本方在中游“整机制造”") ||
			!strings.Contains(ps.Items[2].Explanation["en"], "they are upstream in \"零部件\"") {
			t.Fatalf("parts %v %q", c, ps.Items[2].Explanation)
		}
		// A past cooperation lifts a partner: 信泰's talent offer had no reason at all.
		if _, err := w.admin.CreateCooperation(ctx, map[string]any{"type": "talent", "title": "人才共享计划", "enterprise_ids": []string{w.haina, w.xintai}}); err != nil {
			t.Fatal(err)
		}
		ps, _ = w.admin.Proposals(ctx, need.ID, 10)
		last := ps.Items[len(ps.Items)-1]
		if len(ps.Items) != 4 || last.Listing.EnterpriseID == nil || *last.Listing.EnterpriseID != w.xintai ||
			!strings.Contains(last.Explanation["zh-CN"], "双方曾合作“人才共享计划”") {
			t.Fatalf("history %+v", ps.Items)
		}
		// Changes show at once: the institute closes its offer; a limit cuts.
		if _, err := w.admin.UpdateListing(ctx, inst.ID, map[string]any{"status": "closed"}, 1); err != nil {
			t.Fatal(err)
		}
		ps, _ = w.admin.Proposals(ctx, need.ID, 1)
		if len(ps.Items) != 1 || ps.Items[0].Listing.ID != peer.ID {
			t.Fatalf("after closing %+v", ps.Items)
		}
		_, err = w.admin.Proposals(ctx, need.ID, 51)
		testenv.WantStatus(t, err, 400)
	})
}

func TestPartnersSeeOnlyTheirOwn(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		haina := w.srv.User("haina", access.Partner, w.haina)
		jilong := w.srv.User("jilong", access.Partner, w.jilong)
		need := w.listing(t, haina, map[string]any{"kind": "need", "category": "technology", "title": "数控机床改造", "enterprise_id": w.haina})
		offer := w.listing(t, jilong, map[string]any{"kind": "offer", "category": "technology", "title": "数控机床改造服务", "enterprise_id": w.jilong})
		// A partner cannot post for another enterprise, nor for an institute.
		_, err := haina.CreateListing(ctx, map[string]any{"kind": "need", "category": "technology", "title": "x", "enterprise_id": w.jilong})
		testenv.WantStatus(t, err, 422)
		_, err = haina.CreateListing(ctx, map[string]any{"kind": "need", "category": "technology", "title": "x", "institute_id": w.institute.ID})
		testenv.WantStatus(t, err, 422)
		if l, err := haina.ListListings(ctx, nil); err != nil || l.Total != 1 || l.Items[0].ID != need.ID {
			t.Fatalf("haina's listings %+v %v", l, err)
		}
		if ps, err := haina.Proposals(ctx, need.ID, 5); err != nil || len(ps.Items) != 1 || ps.Items[0].Listing.ID != offer.ID {
			t.Fatalf("haina's proposals %+v %v", ps, err)
		}
		_, err = haina.Proposals(ctx, offer.ID, 5)
		testenv.WantStatus(t, err, 404)
		_, err = haina.UpdateListing(ctx, offer.ID, map[string]any{"title": "x"}, 1)
		testenv.WantStatus(t, err, 404)
		// Partners do not broker.
		_, err = haina.CreateMatch(ctx, map[string]any{"need_id": need.ID, "offer_id": offer.ID})
		testenv.WantStatus(t, err, 403)
		m, err := w.admin.CreateMatch(ctx, map[string]any{"need_id": need.ID, "offer_id": offer.ID})
		if err != nil {
			t.Fatal(err)
		}
		// Both sides see the match; an enterprise of neither side does not.
		other := w.srv.User("chengda", access.Partner, w.chengda)
		for _, c := range []*client.Client{haina, jilong} {
			if l, err := c.ListMatches(ctx, nil); err != nil || l.Total != 1 {
				t.Fatalf("match list %+v %v", l, err)
			}
		}
		if l, err := other.ListMatches(ctx, nil); err != nil || l.Total != 0 {
			t.Fatalf("outsider %+v %v", l, err)
		}
		_, err = other.ActOnMatch(ctx, m.ID, "decline")
		testenv.WantStatus(t, err, 404)
		// Accept side by side: the first records one side, the second agrees and makes the cooperation.
		_, err = haina.ActOnMatch(ctx, m.ID, "contact")
		testenv.WantStatus(t, err, 403)
		m, err = haina.ActOnMatch(ctx, m.ID, "accept")
		if err != nil || m.Status != "proposed" || !m.NeedAccepted || m.OfferAccepted {
			t.Fatalf("first accept %+v %v", m, err)
		}
		m, err = jilong.ActOnMatch(ctx, m.ID, "accept")
		if err != nil || m.Status != "agreed" || m.CooperationID == nil {
			t.Fatalf("second accept %+v %v", m, err)
		}
		co, err := jilong.GetCooperation(ctx, *m.CooperationID)
		if err != nil || co.Type != "chain" || co.Level != "park" || co.OrganizerID != w.andong.ID || co.Function != "development" ||
			!slices.Contains(co.EnterpriseIDs, w.haina) || co.MatchID == nil || *co.MatchID != m.ID {
			t.Fatalf("cooperation %+v %v", co, err)
		}
		if _, err := other.GetCooperation(ctx, co.ID); testenv.Problem(err).Status != 404 {
			t.Fatalf("outsider sees the cooperation: %v", err)
		}
	})
}

func TestMatchWorkflowAndRace(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		need := w.listing(t, w.admin, map[string]any{"kind": "need", "category": "technology", "title": "数控改造", "enterprise_id": w.haina})
		offer := w.listing(t, w.admin, map[string]any{"kind": "offer", "category": "technology", "title": "数控改造技术", "institute_id": w.institute.ID})
		m, err := w.admin.CreateMatch(ctx, map[string]any{"need_id": need.ID, "offer_id": offer.ID, "note": "园区牵线"})
		if err != nil || m.Status != "proposed" || m.Score <= 0 || len(m.Reasons) == 0 {
			t.Fatalf("match %+v %v", m, err)
		}
		_, err = w.admin.CreateMatch(ctx, map[string]any{"need_id": need.ID, "offer_id": offer.ID})
		testenv.WantStatus(t, err, 409)
		_, err = w.admin.CreateMatch(ctx, map[string]any{"need_id": offer.ID, "offer_id": need.ID})
		testenv.WantStatus(t, err, 422)
		// The proposal now names its match.
		ps, _ := w.admin.Proposals(ctx, need.ID, 5)
		if ps.Items[0].MatchID == nil || *ps.Items[0].MatchID != m.ID {
			t.Fatalf("proposal without its match %+v", ps.Items[0])
		}
		// proposed → agreed skips contacted: 409; unknown action 422.
		_, err = w.admin.ActOnMatch(ctx, m.ID, "agree")
		testenv.WantStatus(t, err, 409)
		_, err = w.admin.ActOnMatch(ctx, m.ID, "marry")
		testenv.WantStatus(t, err, 422)
		if m, err = w.admin.ActOnMatch(ctx, m.ID, "contact"); err != nil || m.Status != "contacted" {
			t.Fatalf("contact %+v %v", m, err)
		}
		// Two brokers agree at once: one wins, one cooperation.
		b1 := w.srv.User("broker1", access.ParkAdmin, w.andong.ID)
		b2 := w.srv.User("broker2", access.ZoneAdmin, w.srv.ZoneID)
		var wg sync.WaitGroup
		statuses := make([]int, 8)
		for i := range statuses {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				c := b1
				if i%2 == 1 {
					c = b2
				}
				_, err := c.ActOnMatch(ctx, m.ID, "agree")
				statuses[i] = client.StatusOf(err)
			}(i)
		}
		wg.Wait()
		ok := 0
		for _, s := range statuses {
			switch s {
			case 0:
				ok++
			case 409:
			default:
				t.Fatalf("status %d", s)
			}
		}
		if ok != 1 || w.srv.Count("cooperations", "match_id = $1", m.ID) != 1 {
			t.Fatalf("%d agreed, %d cooperations", ok, w.srv.Count("cooperations", "match_id = $1", m.ID))
		}
		m, _ = w.admin.GetMatch(ctx, m.ID)
		co, err := w.admin.GetCooperation(ctx, *m.CooperationID)
		if err != nil || co.Type != "research" || len(co.InstituteIDs) != 1 || co.Status != "planned" {
			t.Fatalf("cooperation %+v %v", co, err)
		}
		_, err = w.admin.ActOnMatch(ctx, m.ID, "decline")
		testenv.WantStatus(t, err, 409)
		// A listing with matches cannot be deleted.
		testenv.WantStatus(t, w.admin.DeleteListing(ctx, need.ID, need.Version), 409)
	})
}

func TestCooperationProjects(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		co, err := w.admin.CreateCooperation(ctx, map[string]any{"type": "research", "title": "智能装备联合攻关", "chain_id": w.chain.ID,
			"enterprise_ids": []string{w.haina, w.jilong}, "institute_ids": []string{w.institute.ID},
			"milestones": []map[string]any{{"title": "签约", "due_on": "2022-03-01", "done_on": "2022-03-05"}, {"title": "样机", "due_on": "2022-09-01"}},
			"outcomes":   []map[string]any{{"title": "智能化改造生产线一条", "recorded_on": "2022-10-01"}}})
		if err != nil {
			t.Fatal(err)
		}
		if co.Level != "park" || co.OrganizerID != w.andong.ID || co.Status != "planned" || len(co.Milestones) != 2 || len(co.Outcomes) != 1 {
			t.Fatalf("created %+v", co)
		}
		var kinds []string
		for _, e := range co.Timeline {
			kinds = append(kinds, e.Kind)
		}
		if !slices.Equal(kinds[:3], []string{"milestone_done", "milestone_due", "outcome"}) || kinds[3] != "created" {
			t.Fatalf("timeline %v", co.Timeline)
		}
		// Across parks the organiser is the zone; a park administrator cannot make one.
		cross, err := w.admin.CreateCooperation(ctx, map[string]any{"type": "capacity", "title": "产能互帮", "enterprise_ids": []string{w.xintai, w.haina}})
		if err != nil || cross.Level != "zone" {
			t.Fatalf("cross %+v %v", cross, err)
		}
		park := w.srv.User("park", access.ParkAdmin, w.andong.ID)
		_, err = park.CreateCooperation(ctx, map[string]any{"type": "capacity", "title": "产能互帮", "enterprise_ids": []string{w.xintai, w.haina}})
		testenv.WantStatus(t, err, 422)
		// Milestones: keep one by id, mark it done, add one.
		up, err := w.admin.UpdateCooperation(ctx, co.ID, map[string]any{"milestones": []map[string]any{
			{"id": co.Milestones[1].ID, "title": "样机", "due_on": "2022-09-01", "done_on": "2022-08-20"}, {"title": "量产"}}}, 1)
		if err != nil || up.Version != 2 || len(up.Milestones) != 2 || up.Milestones[0].ID != co.Milestones[1].ID || *up.Milestones[0].DoneOn != "2022-08-20" {
			t.Fatalf("update %+v %v", up, err)
		}
		_, err = w.admin.UpdateCooperation(ctx, co.ID, map[string]any{"title": "x"}, 1)
		testenv.WantStatus(t, err, 412)
		_, err = w.admin.UpdateCooperation(ctx, co.ID, map[string]any{"milestones": []map[string]any{{"id": "elsewhere", "title": "x"}}}, 2)
		testenv.WantStatus(t, err, 422)
		// Workflow.
		_, err = w.admin.ActOnCooperation(ctx, co.ID, "complete")
		testenv.WantStatus(t, err, 409)
		st, err := w.admin.ActOnCooperation(ctx, co.ID, "start")
		if err != nil || st.Status != "active" || st.StartedOn == nil {
			t.Fatalf("start %+v %v", st, err)
		}
		st, err = w.admin.ActOnCooperation(ctx, co.ID, "complete")
		if err != nil || st.Status != "completed" || st.EndedOn == nil || st.Timeline[len(st.Timeline)-1].Kind != "ended" {
			t.Fatalf("complete %+v %v", st, err)
		}
		_, err = w.admin.ActOnCooperation(ctx, co.ID, "cancel")
		testenv.WantStatus(t, err, 409)
		// The 3.14π matrix counts cooperations (development) at the organiser's level;
		// a cancelled one is taken back.
		mx, err := w.admin.Matrix(ctx, nil)
		if err != nil || mx.Cell("park", "development").Cooperations != 1 || mx.Cell("zone", "development").Cooperations != 1 {
			t.Fatalf("matrix %+v %v", mx, err)
		}
		if _, err := w.admin.ActOnCooperation(ctx, cross.ID, "cancel"); err != nil {
			t.Fatal(err)
		}
		if mx, _ = w.admin.Matrix(ctx, nil); mx.Cell("zone", "development").Cooperations != 0 || mx.Cell("park", "development").Cooperations != 1 {
			t.Fatalf("matrix after cancelling %+v", mx)
		}
		// Filters and scope: the partner of 海纳 sees both, of 信泰 only the cross one; the chain map links them.
		haina := w.srv.User("haina", access.Partner, w.haina)
		xintai := w.srv.User("xintai", access.Partner, w.xintai)
		if l, _ := haina.ListCooperations(ctx, nil); l.Total != 2 {
			t.Fatalf("haina sees %d", l.Total)
		}
		if l, _ := xintai.ListCooperations(ctx, nil); l.Total != 1 || l.Items[0].ID != cross.ID {
			t.Fatalf("xintai sees %+v", l)
		}
		if l, _ := w.admin.ListCooperations(ctx, url.Values{"institute_id": {w.institute.ID}}); l.Total != 1 {
			t.Fatalf("by institute %d", l.Total)
		}
		if l, _ := w.admin.ListCooperations(ctx, url.Values{"q": {"攻关"}}); l.Total != 1 {
			t.Fatalf("search %d", l.Total)
		}
		m, _ := w.admin.GetChainMap(ctx, w.chain.ID)
		if len(m.Links) != 1 || m.Links[0].CooperationID != co.ID {
			t.Fatalf("links %+v", m.Links)
		}
		testenv.WantStatus(t, w.admin.DeleteInstitute(ctx, w.institute.ID, w.institute.Version), 409)
	})
}

// An enterprise's contact cannot read the chain map, yet places its
// listing on a chain and segment: the picker lists its zone's chains and
// segments (no enterprises), and nothing of another zone.
func TestPartnersPickTheirZonesChains(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		haina := w.srv.User("haina", access.Partner, w.haina)
		if l, err := haina.ListChains(ctx, nil); err != nil || l.Total != 0 {
			t.Fatalf("the chain list is for whole-zone grants: %+v %v", l, err)
		}
		opts, err := haina.ChainOptions(ctx)
		if err != nil || len(opts) != 1 || opts[0].ID != w.chain.ID || len(opts[0].Segments) != len(w.chain.Segments) {
			t.Fatalf("options %+v %v", opts, err)
		}
		seg := opts[0].Segments[0]
		l := w.listing(t, haina, map[string]any{"kind": "need", "category": "material", "title": "铸件毛坯", "enterprise_id": w.haina, "segment_id": seg.ID})
		if l.SegmentID == nil || *l.SegmentID != seg.ID {
			t.Fatalf("listing %+v", l)
		}
		zoneB := w.srv.Zone("另一开发区")
		outsider := w.srv.UserIn("outsider", zoneB, access.ZoneAdmin, zoneB)
		if opts, err := outsider.ChainOptions(ctx); err != nil || len(opts) != 0 {
			t.Fatalf("another zone's admin: %+v %v", opts, err)
		}
		if opts, err := w.srv.User("auditor", access.Auditor, w.srv.ZoneID).ChainOptions(ctx); err != nil || len(opts) != 0 {
			t.Fatalf("who may post nowhere: %+v %v", opts, err)
		}
		_, err = w.srv.Client().ChainOptions(ctx)
		testenv.WantStatus(t, err, 401)
	})
}
