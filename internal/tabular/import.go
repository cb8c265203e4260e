package tabular

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"tongxin/internal/apperr"
)

// UniqueKey is a value that must be unique inside one file: {"uscc", v}.
type UniqueKey struct {
	Field string // column key (names the column in the error)
	Value string
}

// Item is one parsed row on its way to Commit, with its row number so the
// domain can report a row the database refuses (ErrRows).
type Item[T any] struct {
	Row   int
	Value T
}

// Spec is what a domain writes to import a roster: how to parse a row and
// how to store a batch. Import does the rest.
type Spec[T any] struct {
	Columns []Column
	Options Options // Sheet, limits
	// Parse validates one row, adding cell errors to errs (the reader's
	// own are there already), and returns the value and whether the row is
	// valid. It is called for every row in both passes and must give the
	// same answer both times; it must not write anything.
	Parse func(ctx context.Context, r Row, errs *RowErrors) (T, bool)
	// Keys returns the values of a valid row that must be unique inside
	// the file (nil: none). A repeat is reported on the later row, naming
	// the first.
	Keys func(T) []UniqueKey
	// Check, when set, looks a batch of valid rows up in pass 1 (their
	// unique keys against the database …) and returns the rows' errors,
	// Column left empty (Import fills it in). Called with up to BatchSize
	// rows, so a lookup is one query per batch, never one per row; it
	// must not write anything. An error that is not a 422 stops the import.
	Check func(ctx context.Context, batch []Item[T]) ([]Error, error)
	// Commit stores a batch (the slice is reused once it returns). It runs
	// in pass 2 only, when pass 1 found no error at all, and inside the one
	// transaction the caller opened around Import: any error rolls back
	// every batch. Rows the database refuses are returned as ErrRows, and
	// are reported like the others.
	Commit func(ctx context.Context, batch []Item[T]) error
	// BatchSize is the rows per Commit (default 500).
	BatchSize int
	// DryRun validates only (pass 1): the console's "check the file" step.
	DryRun bool
}

// Result is the outcome of an import.
type Result struct {
	Rows       int     // data rows read
	Committed  int     // rows passed to Commit
	Errors     []Error // the first Options.MaxErrors errors
	ErrorCount int     // all errors
}

// Import reads src twice. Pass 1 reads every row and collects every error
// (file-level, cells, Parse's, repeats of unique keys); if there is any,
// Import returns them as a 422 (apperr.Validation, message
// problem.import_failed, one field error per problem with its row and
// column) and Commit is never called. Pass 2 reads the file again and
// hands the rows to Commit in batches; the caller runs Import inside its
// transaction, so an error from Commit (returned as is, with the columns
// of ErrRows filled in) leaves nothing behind.
//
// Memory: one row and one batch at a time, the unique keys seen and the
// errors kept. A cancelled ctx stops either pass.
func Import[T any](ctx context.Context, src *Spooled, spec Spec[T]) (Result, error) {
	opt := spec.Options.withDefaults()
	batch := spec.BatchSize
	if batch <= 0 {
		batch = 500
	}
	var res Result
	errs := Errors{Max: opt.MaxErrors}
	fail := func() (Result, error) {
		res.Errors, res.ErrorCount = errs.List(), errs.Count()
		return res, errs.Err()
	}

	// Pass 1: everything is checked, nothing is written.
	r, err := NewReader(src, spec.Columns, opt)
	if err != nil {
		if !addFileErrors(&errs, err) {
			return res, err
		}
		return fail()
	}
	seen := map[UniqueKey]int{}
	var pending []Item[T] // valid rows waiting for Check
	check := func() error {
		if len(pending) == 0 {
			return nil
		}
		found, err := spec.Check(ctx, pending)
		pending = pending[:0]
		if err != nil {
			return err
		}
		for _, e := range found {
			if e.Column == "" {
				e.Column = r.hdr.shown(e.Field)
			}
			errs.Add(e)
		}
		return nil
	}
	err = each(ctx, r, func(row Row) error {
		res.Rows++
		v, ok := parse(ctx, row, r.hdr, spec.Parse, &errs)
		if !ok {
			return nil
		}
		if spec.Keys != nil {
			for _, k := range spec.Keys(v) {
				if k.Value == "" {
					continue
				}
				if first, dup := seen[k]; dup {
					errs.Add(Error{Row: row.Num, Column: r.hdr.shown(k.Field), Field: k.Field, Code: CodeDuplicate,
						Params: map[string]any{"Value": k.Value, "First": first}})
					ok = false
					continue
				}
				// A copy: the value may share memory with its whole CSV
				// line, which the map would otherwise keep alive.
				seen[UniqueKey{strings.Clone(k.Field), strings.Clone(k.Value)}] = row.Num
			}
		}
		if ok && spec.Check != nil {
			pending = append(pending, Item[T]{Row: row.Num, Value: v})
			if len(pending) == batch {
				return check()
			}
		}
		return nil
	})
	if err == nil && spec.Check != nil {
		err = check()
	}
	r.Close()
	seen, pending = nil, nil
	if err != nil && !addFileErrors(&errs, err) {
		return res, err
	}
	if errs.Count() == 0 && res.Rows == 0 {
		errs.Add(Error{Field: FileField, Code: CodeNoRows})
	}
	if errs.Count() > 0 {
		return fail()
	}
	if spec.DryRun {
		return res, nil
	}

	// Pass 2: the same rows again, into Commit.
	r, err = NewReader(src, spec.Columns, opt)
	if err != nil {
		return res, fmt.Errorf("tabular: second pass: %w", err)
	}
	defer r.Close()
	items := make([]Item[T], 0, batch)
	flush := func() error {
		if len(items) == 0 {
			return nil
		}
		if err := spec.Commit(ctx, items); err != nil {
			return withColumns(err, r.hdr)
		}
		res.Committed += len(items)
		items = items[:0]
		return nil
	}
	err = each(ctx, r, func(row Row) error {
		v, ok := parse(ctx, row, r.hdr, spec.Parse, &errs)
		if !ok {
			// Parse changed its mind (data it looks up changed between
			// the passes): report, commit nothing.
			return errs.Err()
		}
		items = append(items, Item[T]{Row: row.Num, Value: v})
		if len(items) == batch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return res, err
	}
	return res, nil
}

// each calls fn for every row of r, stopping at the first error.
func each(ctx context.Context, r *Reader, fn func(Row) error) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		row, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(row); err != nil {
			return err
		}
	}
}

func parse[T any](ctx context.Context, row Row, hdr *header, fn func(context.Context, Row, *RowErrors) (T, bool), errs *Errors) (T, bool) {
	re := RowErrors{row: row.Num, hdr: hdr, errs: append([]Error(nil), row.Errors...)}
	v, ok := fn(ctx, row, &re)
	if len(re.errs) > 0 {
		ok = false
		errs.Add(re.errs...)
	}
	return v, ok
}

// addFileErrors adds the fields of a 422 to errs and reports whether err
// was one.
func addFileErrors(errs *Errors, err error) bool {
	var e *apperr.Error
	if !errors.As(err, &e) || e.Code != apperr.Validation || len(e.Fields) == 0 {
		return false
	}
	errs.Add(e.Fields...)
	return true
}

// withColumns fills in the columns of row errors Commit returned, and
// gives them the import's message.
func withColumns(err error, h *header) error {
	var e *apperr.Error
	if !errors.As(err, &e) || e.Code != apperr.Validation || len(e.Fields) == 0 {
		return err
	}
	es := Errors{Max: DefaultMaxErrors}
	for _, f := range e.Fields {
		if f.Column == "" {
			f.Column = h.shown(f.Field)
		}
		es.Add(f)
	}
	return es.Err()
}
