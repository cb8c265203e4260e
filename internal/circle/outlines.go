package circle

import (
	"context"
	"sort"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/geojson"

	"tongxin/internal/db"
)

// OutlineMargin is how far a park's outline reaches beyond its outermost
// enterprises and resources.
const OutlineMargin = 150.0

// Outlines returns the outline of every park the caller may see in the
// zone (zoneID, or the caller's one zone), as GeoJSON polygons with the
// park's id and name: the convex hull of the park's located enterprises
// and resources, widened by OutlineMargin. A park with nothing located has
// none. Returns EVALIDATION on zone_id.
func (s *Service) Outlines(ctx context.Context, zoneID string) (*geojson.FeatureCollection, error) {
	fc := geojson.NewFeatureCollection()
	zone, err := zoneFor(ctx, s.DB.R, Read, zoneID)
	if err != nil {
		return nil, err
	}
	parks, err := coverageParks(ctx, s.DB.R, zone, "")
	if err != nil || len(parks) == 0 {
		return fc, err
	}
	points := map[string][]orb.Point{}
	err = db.Each(ctx, s.DB.R, `SELECT park_id, lat, lng FROM enterprises WHERE zone_id = $1 AND lat IS NOT NULL AND lng IS NOT NULL
		UNION ALL SELECT park_id, lat, lng FROM resources WHERE zone_id = $1`, db.Args{zone}, func(sc db.Scanner) error {
		var park string
		var lat, lng float64
		err := sc.Scan(&park, &lat, &lng)
		points[park] = append(points[park], orb.Point{lng, lat})
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, p := range parks {
		pts := points[p.ParkID]
		if len(pts) == 0 {
			continue
		}
		var ring []orb.Point
		for _, pt := range pts {
			for b := 0.0; b < 360; b += 30 {
				ring = append(ring, orbgeo.PointAtBearingAndDistance(pt, b, OutlineMargin))
			}
		}
		f := geojson.NewFeature(orb.Polygon{hull(ring)})
		f.Properties["park_id"] = p.ParkID
		f.Properties["name"] = p.Name
		f.Properties["places"] = len(pts)
		fc.Append(f)
	}
	return fc, nil
}

// hull is the convex hull of pts (Andrew's monotone chain), closed,
// counter-clockwise as GeoJSON wants an outer ring.
func hull(pts []orb.Point) orb.Ring {
	sort.Slice(pts, func(i, j int) bool {
		if pts[i][0] != pts[j][0] {
			return pts[i][0] < pts[j][0]
		}
		return pts[i][1] < pts[j][1]
	})
	cross := func(o, a, b orb.Point) float64 { return (a[0]-o[0])*(b[1]-o[1]) - (a[1]-o[1])*(b[0]-o[0]) }
	var h []orb.Point
	for _, p := range pts {
		for len(h) >= 2 && cross(h[len(h)-2], h[len(h)-1], p) <= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, p)
	}
	for i, t := len(pts)-2, len(h)+1; i >= 0; i-- {
		p := pts[i]
		for len(h) >= t && cross(h[len(h)-2], h[len(h)-1], p) <= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, p)
	}
	return orb.Ring(h) // the last point repeats the first
}
