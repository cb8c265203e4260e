package partyaffairs

import (
	"context"
	"strconv"
	"strings"

	"tongxin/internal/db"
	"tongxin/internal/i18n"
	"tongxin/internal/search"
	"tongxin/internal/tabular"
)

// InnovationColumns are the columns of the innovation log as a file (the
// zone reports its practices upward).
func InnovationColumns() []tabular.Column {
	return []tabular.Column{
		{Key: "title", Header: "举措名称", HeaderEN: "Title", Width: 30},
		{Key: "organizer", Header: "组织方", HeaderEN: "Organiser", Width: 24},
		{Key: "level", Header: "层级", HeaderEN: "Level"},
		{Key: "function", Header: "功能", HeaderEN: "Function"},
		{Key: "introduced_on", Header: "推出日期", HeaderEN: "Introduced on", Width: 14},
		{Key: "tags", Header: "标签", HeaderEN: "Tags", Width: 24},
		{Key: "practice", Header: "具体做法", HeaderEN: "Practice", Width: 50},
		{Key: "results", Header: "成效", HeaderEN: "Results", Width: 40},
	}
}

// InnovationRecord is one entry as a row of InnovationColumns, its level
// and function named in lang.
func InnovationRecord(in Innovation, lang string) []string {
	loc := i18n.For(lang)
	return []string{in.Title, in.Organizer, loc.T("party.level."+in.Level, nil), loc.T("party.function."+in.Function, nil), in.IntroducedOn,
		strings.Join(in.Tags, "、"), in.Practice, in.Results}
}

// ExportInnovations calls fn for every entry of the log the list would
// show (the caller's scope, the filter and q), the latest introduced
// first, reading row by row. Returns EINVALID for a bad filter.
func (s *Service) ExportInnovations(ctx context.Context, f InnovationFilter, q string, fn func(Innovation) error) error {
	var a db.Args
	where, err := f.where(ctx, &a)
	if err != nil {
		return err
	}
	if q != "" {
		m, err := search.Match(ctx, s.DB.R, "innovations", "id", "search_key", q, &a)
		if err != nil {
			return err
		}
		where += " AND " + m
	}
	return db.Each(ctx, s.DB.R, `SELECT `+innovationCols+` FROM innovations WHERE `+where+` ORDER BY introduced_on DESC, id DESC`, a,
		func(sc db.Scanner) error {
			in, err := scanInnovation(sc)
			if err != nil {
				return err
			}
			return fn(in)
		})
}

// ArrearsColumns are the columns of the arrears list as a file.
func ArrearsColumns() []tabular.Column {
	return []tabular.Column{
		{Key: "person", Header: "党员", HeaderEN: "Member", Width: 14},
		{Key: "org", Header: "党组织", HeaderEN: "Organisation", Width: 28},
		{Key: "joined_on", Header: "入党日期", HeaderEN: "Joined on", Width: 14},
		{Key: "count", Header: "欠缴月数", HeaderEN: "Months owed"},
		{Key: "months", Header: "欠缴月份", HeaderEN: "Unpaid months", Width: 60},
	}
}

// ArrearRecord is one member behind as a row of ArrearsColumns.
func ArrearRecord(a Arrear) []string {
	return []string{a.PersonName, a.OrgName, a.JoinedOn, strconv.Itoa(a.Count), strings.Join(a.Months, "、")}
}
