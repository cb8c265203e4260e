package tabular

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// The xlsx reader parses the worksheet XML straight from the zip with
// encoding/xml, one token at a time: excelize's OpenReader reads the whole
// file into memory first, and its row iterator cannot tell a formula from
// a value. Only the shared-string table is held (bounded by
// Options.MaxSharedText); every token is bounded by maxToken, so a cell of
// a gigabyte, a zip bomb or a missing end tag cannot grow memory.

// maxToken bounds the bytes one XML token may span.
const maxToken = 4 << 20

// maxPart bounds the small parts read whole (workbook, relationships).
const maxPart = 8 << 20

// cell is one cell as the sheet holds it.
type cell struct {
	col     int // 0-based
	value   string
	formula bool
}

// guard counts the bytes read since the last reset and fails past limit.
type guard struct {
	r     io.Reader
	n     int64
	limit int64
}

var errTokenTooLarge = errors.New("tabular: token too large")

func (g *guard) Read(p []byte) (int, error) {
	if g.n > g.limit {
		return 0, errTokenTooLarge
	}
	n, err := g.r.Read(p)
	g.n += int64(n)
	return n, err
}

type xlsxSheet struct {
	rc     io.ReadCloser
	g      *guard
	d      *xml.Decoder
	sst    *sharedStrings
	rowNum int
	cells  []cell
	done   bool
}

// openXLSX opens the worksheet named sheet ("" the first) of s.
func openXLSX(s *Spooled, sheet string, o Options) (*xlsxSheet, error) {
	if s.legacy {
		return nil, fileErr(CodeLegacyXLS)
	}
	zr, err := zip.NewReader(s.ra, s.size)
	if err != nil {
		return nil, fileErr(CodeCorruptXLSX)
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[strings.ToLower(strings.TrimPrefix(f.Name, "/"))] = f
	}
	part := func(name string) *zip.File { return files[strings.ToLower(strings.TrimPrefix(name, "/"))] }

	wbPath := "xl/workbook.xml"
	if f := part("_rels/.rels"); f != nil {
		rels, err := readRels(f, "")
		if err != nil {
			return nil, err
		}
		for _, r := range rels {
			if strings.HasSuffix(r.typ, "/officeDocument") {
				wbPath = r.target
			}
		}
	}
	wb := part(wbPath)
	if wb == nil {
		// A zip, but not a workbook (a .docx, an archive of anything).
		return nil, fileErr(CodeUnsupportedFormat)
	}
	sheets, err := readSheets(wb)
	if err != nil {
		return nil, err
	}
	relsPath := path.Join(path.Dir(wbPath), "_rels", path.Base(wbPath)+".rels")
	rf := part(relsPath)
	if rf == nil {
		return nil, fileErr(CodeCorruptXLSX)
	}
	rels, err := readRels(rf, path.Dir(wbPath))
	if err != nil {
		return nil, err
	}
	byID := map[string]rel{}
	var sstPath string
	for _, r := range rels {
		byID[r.id] = r
		if strings.HasSuffix(r.typ, "/sharedStrings") {
			sstPath = r.target
		}
	}
	var target string
	var names []string
	for _, sh := range sheets {
		r, ok := byID[sh.rid]
		if !ok || !strings.HasSuffix(r.typ, "/worksheet") {
			continue // chart sheets, dialog sheets
		}
		names = append(names, sh.name)
		if target == "" && (sheet == "" || strings.EqualFold(strings.TrimSpace(sh.name), strings.TrimSpace(sheet))) {
			target = r.target
		}
	}
	if target == "" {
		if sheet != "" {
			return nil, fileErr(CodeSheetMissing, "Sheet", sheet, "Existing", strings.Join(names, "、"))
		}
		return nil, fileErr(CodeNoHeader)
	}
	x := &xlsxSheet{sst: &sharedStrings{}}
	if sstPath != "" {
		if f := part(sstPath); f != nil {
			if err := x.sst.read(f, o.MaxSharedText); err != nil {
				return nil, err
			}
		}
	}
	sf := part(target)
	if sf == nil {
		return nil, fileErr(CodeCorruptXLSX)
	}
	rc, err := sf.Open()
	if err != nil {
		return nil, fileErr(CodeCorruptXLSX)
	}
	x.rc = rc
	x.g = &guard{r: rc, limit: maxToken}
	x.d = xml.NewDecoder(x.g)
	return x, nil
}

func (x *xlsxSheet) Close() error { return x.rc.Close() }

// xmlErr turns a failure while parsing a part into the file-level error.
func xmlErr(err error) error {
	if errors.Is(err, errTokenTooLarge) {
		return fileErr(CodeTooComplex)
	}
	return fileErr(CodeCorruptXLSX)
}

// next returns the next row holding any cell: its number and its cells
// (reused by the following call); io.EOF after the last.
func (x *xlsxSheet) next() (int, []cell, error) {
	if x.done {
		return 0, nil, io.EOF
	}
	var (
		inRow, inCell, inV, inIS, inT, inRPh bool
		c                                    cell
		typ                                  string
		text                                 strings.Builder
		lastCol                              int
	)
	for {
		x.g.n = 0
		tok, err := x.d.RawToken()
		if err == io.EOF {
			x.done = true
			if inRow {
				return 0, nil, fileErr(CodeCorruptXLSX)
			}
			return 0, nil, io.EOF
		}
		if err != nil {
			return 0, nil, xmlErr(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "row":
				inRow, lastCol = true, -1
				x.cells = x.cells[:0]
				n := x.rowNum + 1
				if v := attr(t, "r"); v != "" {
					if n, err = strconv.Atoi(v); err != nil || n <= x.rowNum || n > 1<<20 {
						return 0, nil, fileErr(CodeCorruptXLSX)
					}
				}
				x.rowNum = n
			case "c":
				if !inRow {
					return 0, nil, fileErr(CodeCorruptXLSX)
				}
				inCell = true
				c = cell{col: lastCol + 1}
				if v := attr(t, "r"); v != "" {
					col, ok := colIndex(v)
					if !ok || col <= lastCol {
						return 0, nil, fileErr(CodeCorruptXLSX)
					}
					c.col = col
				}
				if c.col >= 16384 {
					return 0, nil, fileErr(CodeCorruptXLSX)
				}
				lastCol = c.col
				typ = attr(t, "t")
				text.Reset()
			case "f":
				if inCell {
					c.formula = true
				}
			case "v":
				inV = inCell
			case "is":
				inIS = inCell
			case "rPh":
				inRPh = true
			case "t":
				inT = inIS && !inRPh
			}
		case xml.CharData:
			if inV || inT {
				if text.Len()+len(t) > maxToken {
					return 0, nil, fileErr(CodeTooComplex)
				}
				text.Write(t)
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "v":
				inV = false
			case "t":
				inT = false
			case "rPh":
				inRPh = false
			case "is":
				inIS = false
			case "c":
				if !inCell {
					continue
				}
				inCell = false
				v, err := x.value(typ, text.String())
				if err != nil {
					return 0, nil, err
				}
				c.value = v
				if c.value != "" || c.formula {
					x.cells = append(x.cells, c)
				}
			case "row":
				inRow = false
				if len(x.cells) > 0 {
					return x.rowNum, x.cells, nil
				}
			case "sheetData":
				x.done = true
				return 0, nil, io.EOF
			}
		}
	}
}

// value is the text of a cell of type typ holding raw.
func (x *xlsxSheet) value(typ, raw string) (string, error) {
	switch typ {
	case "s":
		i, err := strconv.Atoi(strings.TrimSpace(raw))
		if err != nil || i < 0 || i >= x.sst.len() {
			return "", fileErr(CodeCorruptXLSX)
		}
		return x.sst.get(i), nil
	case "b":
		switch strings.TrimSpace(raw) {
		case "1":
			return "TRUE", nil
		case "0":
			return "FALSE", nil
		}
	case "inlineStr", "str":
		return unescapeOOXML(raw), nil
	}
	return raw, nil
}

func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

// colIndex returns the 0-based column of a cell reference ("AB12" → 27).
func colIndex(ref string) (int, bool) {
	n, i := 0, 0
	for ; i < len(ref) && i < 4; i++ {
		c := ref[i]
		switch {
		case 'A' <= c && c <= 'Z':
			n = n*26 + int(c-'A') + 1
		case 'a' <= c && c <= 'z':
			n = n*26 + int(c-'a') + 1
		default:
			return n - 1, i > 0
		}
	}
	return n - 1, i > 0 && i < 4
}

// unescapeOOXML decodes the _xHHHH_ escapes OOXML uses for characters XML
// cannot hold (so a control character reaches the check that refuses it).
func unescapeOOXML(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if i+7 <= len(s) && s[i] == '_' && s[i+1] == 'x' && s[i+6] == '_' {
			if v, err := strconv.ParseUint(s[i+2:i+6], 16, 16); err == nil {
				b.WriteRune(rune(v))
				i += 7
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// sharedStrings is the shared-string table: all text in one buffer.
type sharedStrings struct {
	buf  []byte
	ends []uint32
}

func (s *sharedStrings) len() int { return len(s.ends) }

func (s *sharedStrings) get(i int) string {
	start := uint32(0)
	if i > 0 {
		start = s.ends[i-1]
	}
	return string(s.buf[start:s.ends[i]])
}

func (s *sharedStrings) read(f *zip.File, max int64) error {
	rc, err := f.Open()
	if err != nil {
		return fileErr(CodeCorruptXLSX)
	}
	defer rc.Close()
	g := &guard{r: rc, limit: maxToken}
	d := xml.NewDecoder(g)
	var inSI, inT, inRPh bool
	start := 0
	for {
		g.n = 0
		tok, err := d.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return xmlErr(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "si":
				inSI, start = true, len(s.buf)
			case "rPh":
				inRPh = true
			case "t":
				inT = inSI && !inRPh
			}
		case xml.CharData:
			if inT {
				if int64(len(s.buf)+len(t)) > max || len(s.ends) >= 1<<26 {
					return fileErr(CodeTooComplex)
				}
				s.buf = append(s.buf, t...)
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inT = false
			case "rPh":
				inRPh = false
			case "si":
				if !inSI {
					continue
				}
				inSI = false
				if v := string(s.buf[start:]); strings.Contains(v, "_x") {
					s.buf = append(s.buf[:start], unescapeOOXML(v)...)
				}
				s.ends = append(s.ends, uint32(len(s.buf)))
			}
		}
	}
}

type rel struct{ id, typ, target string }

// readRels reads a relationships part; targets are resolved against dir.
func readRels(f *zip.File, dir string) ([]rel, error) {
	var out []rel
	err := walkPart(f, func(t xml.StartElement) {
		if t.Name.Local != "Relationship" {
			return
		}
		r := rel{id: attr(t, "Id"), typ: attr(t, "Type"), target: attr(t, "Target")}
		if attr(t, "TargetMode") == "External" {
			return
		}
		if strings.HasPrefix(r.target, "/") {
			r.target = strings.TrimPrefix(r.target, "/")
		} else {
			r.target = path.Join(dir, r.target)
		}
		out = append(out, r)
	})
	return out, err
}

type sheetRef struct{ name, rid string }

func readSheets(f *zip.File) ([]sheetRef, error) {
	var out []sheetRef
	err := walkPart(f, func(t xml.StartElement) {
		if t.Name.Local != "sheet" {
			return
		}
		s := sheetRef{name: attr(t, "name")}
		for _, a := range t.Attr {
			if a.Name.Local == "id" && a.Name.Space != "" { // r:id, whatever the prefix
				s.rid = a.Value
			}
		}
		out = append(out, s)
	})
	return out, err
}

// walkPart calls fn for each start element of a small part.
func walkPart(f *zip.File, fn func(xml.StartElement)) error {
	if f.UncompressedSize64 > maxPart {
		return fileErr(CodeTooComplex)
	}
	rc, err := f.Open()
	if err != nil {
		return fileErr(CodeCorruptXLSX)
	}
	defer rc.Close()
	d := xml.NewDecoder(io.LimitReader(rc, maxPart))
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return xmlErr(fmt.Errorf("%s: %w", f.Name, err))
		}
		if t, ok := tok.(xml.StartElement); ok {
			fn(t)
		}
	}
}
