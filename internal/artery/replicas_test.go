package artery_test

import (
	"slices"
	"sync"
	"testing"

	"tongxin/internal/artery"
	"tongxin/internal/etag"
	"tongxin/internal/testenv"
)

// Two replicas of the service over one database: what one writes, the
// other ranks at once (its index catches up by the zone's sequence), and
// a deleted listing leaves both.
func TestReplicasRankWhatTheOtherWrote(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		c := newCorpus(t, dsn, 200, 3)
		a := c.srv.App.Artery
		b := &artery.Service{DB: c.srv.DB}
		need := c.keys["N1"]
		ids := func(s *artery.Service) []string {
			ps, err := s.Propose(c.ctx, need, 50)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, p := range ps {
				out = append(out, p.Listing.ID)
			}
			return out
		}
		before := ids(b)
		offer, err := a.CreateListing(c.ctx, artery.ListingInput{Kind: "offer", Category: "technology", Title: "数控装备智能化升级服务",
			Body: "数控系统智能化升级与精度检测", EnterpriseID: c.owners[0]})
		if err != nil {
			t.Fatal(err)
		}
		got := ids(b)
		if i := slices.Index(got, offer.ID); i < 0 || i > 2 || slices.Contains(before, offer.ID) {
			t.Fatalf("replica b does not rank the new offer among the first three: at %d", i)
		}
		if _, err := a.UpdateListing(c.ctx, offer.ID, artery.ListingPatch{Title: ptr("鞋材供应"), Body: ptr("鞋材")}, etag.Match{}); err != nil {
			t.Fatal(err)
		}
		if i := slices.Index(ids(b), offer.ID); i >= 0 && i <= 2 {
			t.Fatalf("replica b ranks the offer by its old text (at %d)", i)
		}
		if err := a.DeleteListing(c.ctx, offer.ID, etag.Match{}); err != nil {
			t.Fatal(err)
		}
		if got := ids(b); slices.Contains(got, offer.ID) {
			t.Fatal("replica b still proposes a deleted listing")
		}
		// Writers and rankers at once: no race, no error (run with -race).
		var wg sync.WaitGroup
		for i := range 4 {
			wg.Add(2)
			go func() {
				defer wg.Done()
				if _, err := a.CreateListing(c.ctx, artery.ListingInput{Kind: "offer", Category: "technology", Title: "数控改造",
					EnterpriseID: c.owners[i+1]}); err != nil {
					t.Error(err)
				}
			}()
			go func() {
				defer wg.Done()
				if _, err := b.Propose(c.ctx, need, 10); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if got := ids(b); len(got) < 4 {
			t.Fatalf("after concurrent writes: %v", got)
		}
	})
}

func ptr(s string) *string { return &s }
