package artery_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/artery"
	"tongxin/internal/db"
	"tongxin/internal/demo"
	"tongxin/internal/geo"
	"tongxin/internal/search"
	"tongxin/internal/testenv"
)

// The corpus: the demo's four chains of the article (equipment, footwear
// and textiles, food, furniture), the article's cooperations as the
// demo's needs and offers (demo.ArticleListings: the texts are ours, the
// article names the partners and the kind of cooperation, not what they
// posted), and generated noise drawn from the same trade vocabulary, so
// that noise competes on words, chains and distance alike.

// corpus is a zone filled with chains, owners and listings.
type corpus struct {
	srv      *testenv.Server
	ctx      context.Context // as a platform administrator
	segments map[string][3]string
	chainIDs map[string]string
	owners   []string          // generated enterprises
	named    map[string]string // article name → enterprise or institute id
	keys     map[string]string // labelled key → listing id
}

func newCorpus(t testing.TB, dsn string, noise int, seed uint64) *corpus {
	srv := testenv.Start(t, dsn)
	c := &corpus{srv: srv, segments: map[string][3]string{}, chainIDs: map[string]string{}, named: map[string]string{}, keys: map[string]string{}}
	c.ctx = access.With(context.Background(), &access.Principal{UserID: "bench", Grants: []access.Grant{{Role: access.PlatformAdmin,
		ScopeID: srv.ZoneID, Kind: access.KindZone, Path: access.ZonePath(srv.ZoneID), ZoneID: srv.ZoneID}}})
	svc := srv.App.Artery
	r := rand.New(rand.NewPCG(seed, 7))
	for _, ch := range demo.Chains {
		in := artery.ChainInput{ZoneID: srv.ZoneID, Name: ch.Name}
		for i, s := range ch.Segments {
			in.Segments = append(in.Segments, artery.SegmentInput{Stage: artery.Stages[i], Name: s})
		}
		made, err := svc.CreateChain(c.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		c.segments[ch.Name] = [3]string{made.Segments[0].ID, made.Segments[1].ID, made.Segments[2].ID}
		c.chainIDs[ch.Name] = made.ID
	}
	park := srv.Park("安东园", "andong")
	point := func() (float64, float64) { return 24.74 + r.Float64()*0.08, 118.55 + r.Float64()*0.09 }
	for _, l := range demo.ArticleListings {
		if _, ok := c.named[l.Owner]; ok {
			continue
		}
		if l.Owner == demo.Institute {
			lat, lng := 24.87, 118.67
			it, err := svc.CreateInstitute(c.ctx, artery.InstituteInput{ZoneID: srv.ZoneID, Name: l.Owner, Location: &geo.Point{Lat: lat, Lng: lng}})
			if err != nil {
				t.Fatal(err)
			}
			c.named[l.Owner] = it.ID
			continue
		}
		id := srv.Enterprise(park.ID, l.Owner)
		lat, lng := point()
		srv.DB.W.Exec(`UPDATE enterprises SET lat = $1, lng = $2 WHERE id = $3`, lat, lng, id)
		c.named[l.Owner] = id
	}
	for i := range 300 {
		id := srv.Enterprise(park.ID, fmt.Sprintf("示例企业%03d", i))
		lat, lng := point()
		srv.DB.W.Exec(`UPDATE enterprises SET lat = $1, lng = $2 WHERE id = $3`, lat, lng, id)
		c.owners = append(c.owners, id)
	}
	// Noise first, written straight into the table (before any ranking
	// has loaded an index), then the labelled listings through the service.
	c.bulk(t, noise, r)
	for _, l := range demo.ArticleListings {
		in := artery.ListingInput{Kind: l.Kind, Category: l.Category, SegmentID: c.segments[l.Chain][l.Stage], Title: l.Title, Body: l.Text}
		if l.Owner == demo.Institute {
			in.InstituteID = c.named[l.Owner]
		} else {
			in.EnterpriseID = c.named[l.Owner]
		}
		made, err := svc.CreateListing(c.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		c.keys[l.Key] = made.ID
	}
	return c
}

// bulk inserts n generated listings in batches.
func (c *corpus) bulk(t testing.TB, n int, r *rand.Rand) {
	d := c.srv.DB
	now := db.Micros(time.Now())
	err := d.Tx(context.Background(), func(tx *db.Tx) error {
		const batch = 200
		for start := 0; start < n; start += batch {
			var a db.Args
			var rows []string
			for i := start; i < min(n, start+batch); i++ {
				ch := demo.Chains[r.IntN(len(demo.Chains))]
				title, text := demo.GeneratedListing(r, ch)
				kind := artery.Kinds[r.IntN(2)]
				cat := artery.Categories[r.IntN(len(artery.Categories))]
				var chain, seg any
				if r.Float64() < 0.8 {
					s := r.IntN(3)
					seg, chain = c.segments[ch.Name][s], c.chainIDs[ch.Name]
				}
				owner := c.owners[r.IntN(len(c.owners))]
				rows = append(rows, "("+strings.Join([]string{a.Add(uuid.Must(uuid.NewV7()).String()), a.Add(c.srv.ZoneID), a.Add(kind), a.Add(cat), a.Add(chain), a.Add(seg),
					a.Add(title), a.Add(text), a.Add(owner), a.Add(search.Key(title, text)), a.Add(now)}, ", ")+", 'open', TRUE, 0, 1, "+a.Add(now)+")")
			}
			if _, err := tx.ExecContext(context.Background(), `INSERT INTO listings (id, zone_id, kind, category, chain_id, segment_id, title, body, enterprise_id,
				search_key, created_at, status, sample, seq, version, updated_at) VALUES `+strings.Join(rows, ", "), a...); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(context.Background(), `INSERT INTO listing_seq (zone_id, seq) VALUES ($1, 1)`, c.srv.ZoneID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
