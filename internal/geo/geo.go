// Package geo holds the one kind of place the platform stores: a point in
// WGS 84 degrees, kept in two nullable columns (lat, lng).
package geo

import (
	"database/sql"

	"tongxin/internal/apperr"
)

// Point is a location in WGS 84 degrees.
type Point struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// CheckSent checks a location as a client sends it, under field
// ("location"): once given, both coordinates are required (field.lat,
// field.lng) and each must lie in its range.
func CheckSent(fs *apperr.Fields, field string, lat, lng *float64) {
	if lat == nil {
		fs.Add(field+".lat", "required")
	} else if *lat < -90 || *lat > 90 {
		fs.Add(field+".lat", "out_of_range", "Min", -90, "Max", 90)
	}
	if lng == nil {
		fs.Add(field+".lng", "required")
	} else if *lng < -180 || *lng > 180 {
		fs.Add(field+".lng", "out_of_range", "Min", -180, "Max", 180)
	}
}

// Check adds out_of_range for a coordinate of p (when not nil) outside
// -90..90 or -180..180, naming location.lat or location.lng.
func Check(fs *apperr.Fields, p *Point) {
	if p == nil {
		return
	}
	if p.Lat < -90 || p.Lat > 90 {
		fs.Add("location.lat", "out_of_range", "Min", -90, "Max", 90)
	}
	if p.Lng < -180 || p.Lng > 180 {
		fs.Add("location.lng", "out_of_range", "Min", -180, "Max", 180)
	}
}

// Columns returns p as the values of its two columns (NULL for none).
func Columns(p *Point) (lat, lng sql.NullFloat64) {
	if p == nil {
		return
	}
	return sql.NullFloat64{Float64: p.Lat, Valid: true}, sql.NullFloat64{Float64: p.Lng, Valid: true}
}

// FromColumns is the point two scanned columns hold, nil unless both do.
func FromColumns(lat, lng sql.NullFloat64) *Point {
	if !lat.Valid || !lng.Valid {
		return nil
	}
	return &Point{Lat: lat.Float64, Lng: lng.Float64}
}
