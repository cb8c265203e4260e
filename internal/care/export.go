package care

import (
	"fmt"
	"strings"

	"tongxin/internal/tabular"
)

// StatementColumns are the columns of a fund statement's export.
func StatementColumns() []tabular.Column {
	return []tabular.Column{
		{Key: "booked_on", Header: "记账日期", HeaderEN: "Date", Width: 12},
		{Key: "kind", Header: "类型", HeaderEN: "Kind", Width: 10},
		{Key: "person", Header: "人员", HeaderEN: "Person", Width: 12},
		{Key: "memo", Header: "摘要", HeaderEN: "Memo", Width: 30},
		{Key: "in", Header: "收入（元）", HeaderEN: "In (yuan)", Width: 12},
		{Key: "out", Header: "支出（元）", HeaderEN: "Out (yuan)", Width: 12},
		{Key: "balance", Header: "余额（元）", HeaderEN: "Balance (yuan)", Width: 14},
	}
}

// StatementRecords are the rows of a statement's export: the opening
// balance, each entry, and the totals.
func StatementRecords(st Statement, lang string) [][]string {
	en := strings.HasPrefix(lang, "en")
	word := func(zh, e string) string {
		if en {
			return e
		}
		return zh
	}
	from := ""
	if st.From != nil {
		from = *st.From
	}
	out := [][]string{{from, word("期初", "Opening"), "", "", "", "", yuanCell(st.OpeningFen)}}
	for _, e := range st.Entries {
		in, outAmt := yuanCell(e.AmountFen), ""
		kind := word("捐助", "Contribution")
		if e.Kind == "disbursement" {
			in, outAmt, kind = "", yuanCell(e.AmountFen), word("发放", "Disbursement")
		}
		out = append(out, []string{e.BookedOn, kind, e.PersonName, e.Memo, in, outAmt, yuanCell(e.BalanceFen)})
	}
	to := ""
	if st.To != nil {
		to = *st.To
	}
	return append(out, []string{to, word("合计", "Total"), "", "", yuanCell(st.ContributedFen), yuanCell(st.DisbursedFen), yuanCell(st.ClosingFen)})
}

// yuanCell writes fen as a yuan amount with two decimals.
func yuanCell(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}
