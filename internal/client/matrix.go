package client

import (
	"context"
	"net/url"
)

// MatrixTotals are one cell's (or park's, or month's) figures.
type MatrixTotals struct {
	Activities       int64   `json:"activities"`
	Participants     int64   `json:"participants"`
	VolunteerHours   float64 `json:"volunteer_hours"`
	RequestsResolved int64   `json:"requests_resolved"`
	CasesClosed      int64   `json:"cases_closed"`
	Cooperations     int64   `json:"cooperations"`
	Innovations      int64   `json:"innovations"`
}

// MatrixCell is one level × function of the 3.14π matrix.
type MatrixCell struct {
	Level    string `json:"level"`
	Function string `json:"function"`
	Month    string `json:"month,omitempty"`
	MatrixTotals
}

// MatrixPark is one park's totals.
type MatrixPark struct {
	ParkID   string `json:"park_id"`
	ParkName string `json:"park_name"`
	MatrixTotals
}

// Matrix is GET /api/v1/dashboard/matrix.
type Matrix struct {
	Levels    []string     `json:"levels"`
	Functions []string     `json:"functions"`
	Cells     []MatrixCell `json:"cells"`
	Parks     []MatrixPark `json:"parks"`
	Trend     []MatrixCell `json:"trend"`
}

// Cell returns the cell of level and function (zero when absent).
func (m Matrix) Cell(level, function string) MatrixTotals {
	for _, c := range m.Cells {
		if c.Level == level && c.Function == function {
			return c.MatrixTotals
		}
	}
	return MatrixTotals{}
}

// Matrix reads the dashboard matrix with query parameters q.
func (c *Client) Matrix(ctx context.Context, q url.Values) (Matrix, error) {
	var out Matrix
	_, err := c.typed(ctx, "GET", "/api/v1/dashboard/matrix"+query(q), nil, &out, nil)
	return out, err
}
