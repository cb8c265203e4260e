package tabular

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// CSV files are UTF-8 (with or without a byte-order mark) or, when not
// valid UTF-8, GB18030: what Chinese Excel writes for "CSV (逗号分隔)".
// The encoding is decided by a first streaming pass over the whole file,
// so a file whose 100,000th row is GB18030 is not half read as UTF-8.

var bom = []byte("\xEF\xBB\xBF")

type csvSheet struct {
	cr      *csv.Reader
	g       *guard
	rowNum  int // row of the last record
	endLine int // line the last record ended on
	cells   []cell
}

func openCSV(s *Spooled) (*csvSheet, error) {
	utf8OK, err := sniffCSV(s)
	if err != nil {
		return nil, err
	}
	var r io.Reader = s.section()
	if utf8OK {
		br := bufio.NewReader(r)
		if b, _ := br.Peek(3); bytes.Equal(b, bom) {
			br.Discard(3)
		}
		r = br
	} else {
		ok, err := decodesAsGB18030(s)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fileErr(CodeEncoding)
		}
		r = transform.NewReader(r, simplifiedchinese.GB18030.NewDecoder())
	}
	g := &guard{r: r, limit: maxToken}
	cr := csv.NewReader(g)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return &csvSheet{cr: cr, g: g}, nil
}

// sniffCSV refuses what is plainly no CSV (a NUL byte anywhere: binary or
// UTF-16; markup at the start: an HTML page saved as .xls/.xlsx, which
// some systems export) and reports whether the whole file is valid UTF-8.
func sniffCSV(s *Spooled) (bool, error) {
	r := s.section()
	buf := make([]byte, 64<<10)
	valid, first := true, true
	var carry []byte
	for {
		n, err := io.ReadFull(r, buf[len(carry):])
		copy(buf, carry)
		chunk := buf[:len(carry)+n]
		if first {
			first = false
			head := bytes.TrimLeft(bytes.TrimPrefix(chunk, bom), " \t\r\n")
			if len(head) > 0 && head[0] == '<' {
				return false, fileErr(CodeUnsupportedFormat)
			}
		}
		if bytes.IndexByte(chunk, 0) >= 0 {
			return false, fileErr(CodeUnsupportedFormat)
		}
		eof := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !eof {
			return false, err
		}
		carry = carry[:0]
		if valid {
			// Keep an incomplete rune at the end for the next chunk.
			end := len(chunk)
			if !eof {
				for i := 1; i <= 3 && i <= len(chunk); i++ {
					if b := chunk[len(chunk)-i]; utf8.RuneStart(b) {
						if !utf8.FullRune(chunk[len(chunk)-i:]) {
							end = len(chunk) - i
						}
						break
					}
				}
			}
			valid = utf8.Valid(chunk[:end])
			carry = append(carry, chunk[end:]...)
		}
		if eof {
			return valid, nil
		}
	}
}

// decodesAsGB18030 reports whether the whole file decodes as GB18030
// without a replacement character (what the decoder writes for bytes it
// cannot read).
func decodesAsGB18030(s *Spooled) (bool, error) {
	r := bufio.NewReader(transform.NewReader(s.section(), simplifiedchinese.GB18030.NewDecoder()))
	for {
		c, _, err := r.ReadRune()
		if err == io.EOF {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		if c == utf8.RuneError {
			return false, nil
		}
	}
}

func (c *csvSheet) Close() error { return nil }

// next returns the next record holding any value, numbered as the row
// Excel shows it on: records count, and so do blank lines between them
// (which encoding/csv skips).
func (c *csvSheet) next() (int, []cell, error) {
	for {
		c.g.n = 0
		rec, err := c.cr.Read()
		if err == io.EOF {
			return 0, nil, io.EOF
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return 0, nil, fileErr(CodeCSVSyntax, "Line", pe.StartLine) // where the unbalanced quote opens
			}
			if errors.Is(err, errTokenTooLarge) {
				return 0, nil, fileErr(CodeTooComplex)
			}
			return 0, nil, err
		}
		line, _ := c.cr.FieldPos(0)
		c.rowNum += 1 + max(0, line-c.endLine-1)
		c.endLine = line
		c.cells = c.cells[:0]
		for i, v := range rec {
			c.endLine += strings.Count(v, "\n")
			if v != "" {
				c.cells = append(c.cells, cell{col: i, value: v})
			}
		}
		if len(c.cells) > 0 {
			return c.rowNum, c.cells, nil
		}
	}
}
