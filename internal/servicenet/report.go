package servicenet

import (
	"context"
	"fmt"
	"strconv"

	"tongxin/internal/access"
	"tongxin/internal/db"
	"tongxin/internal/matrix"
	"tongxin/internal/page"
	"tongxin/internal/tabular"
)

// PointStats are one point's figures for the overdue and satisfaction
// views.
type PointStats struct {
	PointID    string   `json:"point_id"`
	PointName  string   `json:"point_name"`
	ParkID     string   `json:"park_id"`
	Total      int      `json:"total"`
	Open       int      `json:"open"`
	Overdue    int      `json:"overdue"`
	Done       int      `json:"done"` // resolved or closed
	Rejected   int      `json:"rejected"`
	Rated      int      `json:"rated"`
	RatingAvg  *float64 `json:"rating_avg"`
	Ratings    [5]int   `json:"ratings"` // how many of each rating, 1 to 5
	Escalated  int      `json:"escalated"`
	OnTimeRate *float64 `json:"on_time_rate"` // done without escalation / done
}

// Stats counts the requests in the caller's service_request.read scope per
// point (one grouped query), for the overdue and satisfaction views.
func (s *Service) Stats(ctx context.Context) ([]PointStats, error) {
	now := db.Micros(s.DB.Now().UTC())
	var a db.Args
	where := access.From(ctx).Scope(RequestRead).Where(&a, requestAttach...)
	nowArg := a.Add(now)
	q := `SELECT r.point_id, r.point_name, r.park_id, COUNT(*),
		SUM(CASE WHEN r.status NOT IN ('resolved', 'closed', 'rejected') THEN 1 ELSE 0 END),
		SUM(CASE WHEN r.status NOT IN ('resolved', 'closed', 'rejected') AND r.due_at < ` + nowArg + ` THEN 1 ELSE 0 END),
		SUM(CASE WHEN r.status IN ('resolved', 'closed') THEN 1 ELSE 0 END),
		SUM(CASE WHEN r.status = 'rejected' THEN 1 ELSE 0 END),
		SUM(CASE WHEN r.rating = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN r.rating = 2 THEN 1 ELSE 0 END), SUM(CASE WHEN r.rating = 3 THEN 1 ELSE 0 END),
		SUM(CASE WHEN r.rating = 4 THEN 1 ELSE 0 END), SUM(CASE WHEN r.rating = 5 THEN 1 ELSE 0 END),
		SUM(CASE WHEN r.overdue_at IS NOT NULL THEN 1 ELSE 0 END),
		SUM(CASE WHEN r.status IN ('resolved', 'closed') AND r.overdue_at IS NULL THEN 1 ELSE 0 END)
		FROM ` + requestFrom + ` WHERE ` + where + ` GROUP BY r.point_id, r.point_name, r.park_id ORDER BY r.point_name, r.point_id`
	out := []PointStats{}
	err := db.Each(ctx, s.DB.R, q, a, func(sc db.Scanner) error {
		var p PointStats
		var onTime int
		if err := sc.Scan(&p.PointID, &p.PointName, &p.ParkID, &p.Total, &p.Open, &p.Overdue, &p.Done, &p.Rejected,
			&p.Ratings[0], &p.Ratings[1], &p.Ratings[2], &p.Ratings[3], &p.Ratings[4], &p.Escalated, &onTime); err != nil {
			return err
		}
		sum := 0
		for i, n := range p.Ratings {
			p.Rated += n
			sum += (i + 1) * n
		}
		if p.Rated > 0 {
			avg := float64(sum) / float64(p.Rated)
			p.RatingAvg = &avg
		}
		if p.Done > 0 {
			r := float64(onTime) / float64(p.Done)
			p.OnTimeRate = &r
		}
		out = append(out, p)
		return nil
	})
	return out, err
}

// ExportColumns are the columns of the request export.
func ExportColumns() []tabular.Column {
	return []tabular.Column{
		{Key: "id", Header: "编号", HeaderEN: "Number", Width: 38},
		{Key: "service_code", Header: "服务项目", HeaderEN: "Service"},
		{Key: "description", Header: "问题描述", HeaderEN: "Description", Width: 40},
		{Key: "point", Header: "服务点", HeaderEN: "Service point", Width: 24},
		{Key: "status", Header: "状态", HeaderEN: "Status"},
		{Key: "created_at", Header: "提交时间", HeaderEN: "Filed", Width: 20},
		{Key: "due_at", Header: "办理时限", HeaderEN: "Due", Width: 20},
		{Key: "overdue", Header: "是否超期", HeaderEN: "Overdue"},
		{Key: "rating", Header: "评分", HeaderEN: "Rating"},
		{Key: "address", Header: "地址", HeaderEN: "Address", Width: 30},
	}
}

// ExportRecord is a request as a row of the export (times in China time).
func ExportRecord(r Request, yes, no string) []string {
	rating := ""
	if r.Rating != nil {
		rating = strconv.Itoa(*r.Rating)
	}
	overdue := no
	if r.Overdue {
		overdue = yes
	}
	const layout = "2006-01-02 15:04"
	return []string{r.ID, r.ServiceCode, r.Description, r.PointName, r.Status, r.CreatedAt.In(matrix.Local).Format(layout),
		r.DueAt.In(matrix.Local).Format(layout), overdue, rating, r.Location.Address}
}

// ExportRequests calls fn for every request ListRequests would list with
// f and q, a page at a time (never the whole list in memory).
func (s *Service) ExportRequests(ctx context.Context, f RequestFilter, q string, fn func(Request) error) error {
	cursor := ""
	for {
		p, err := page.Parse(strconv.Itoa(page.MaxLimit), cursor, q)
		if err != nil {
			return fmt.Errorf("export page: %w", err)
		}
		l, err := s.ListRequests(ctx, f, p)
		if err != nil {
			return err
		}
		for _, r := range l.Items {
			if err := fn(r); err != nil {
				return err
			}
		}
		if l.NextCursor == nil {
			return nil
		}
		cursor = *l.NextCursor
	}
}
