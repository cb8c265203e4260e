package tabular

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"tongxin/internal/apperr"
)

// Spooled is an uploaded file held in a temporary file (or any
// io.ReaderAt), so that it can be read twice without being held in memory.
type Spooled struct {
	ra     io.ReaderAt
	size   int64
	format Format
	legacy bool // an Excel 97-2003 file: refused when read
	file   *os.File
}

// Spool copies r to a temporary file. More than limit bytes is a 413
// (apperr.TooLarge) naming the field "file"; nothing is kept then. The
// format is told by the first bytes: a zip is xlsx, anything else CSV
// (and found out when read). Close removes the file.
func Spool(r io.Reader, limit int64) (*Spooled, error) {
	f, err := os.CreateTemp("", "tongxin-upload-*")
	if err != nil {
		return nil, fmt.Errorf("tabular: spool: %w", err)
	}
	// Unlinked at once where the system allows it (an open file stays
	// readable): a crash leaves nothing behind. Close removes it otherwise.
	removed := os.Remove(f.Name()) == nil
	n, err := io.Copy(f, io.LimitReader(r, limit+1))
	if err == nil && n > limit {
		err = TooLarge(limit)
	}
	if err != nil {
		f.Close()
		if !removed {
			os.Remove(f.Name())
		}
		if apperr.Is(err, apperr.TooLarge) {
			return nil, err
		}
		return nil, fmt.Errorf("tabular: spool: %w", err)
	}
	s := NewSpooled(f, n)
	s.file = f
	if removed {
		s.file = nil
		s.ra = &closer{f}
	}
	return s, nil
}

// closer lets Close close an already unlinked temporary file.
type closer struct{ *os.File }

// TooLarge is the 413 of an upload over limit bytes, naming the field
// "file".
func TooLarge(limit int64) error {
	return &apperr.Error{Code: apperr.TooLarge, MessageID: "problem.too_large.detail",
		Params: map[string]any{"Limit": size(limit)},
		Fields: []apperr.FieldError{{Field: FileField, Code: "too_large", Params: map[string]any{"Limit": size(limit)}}}}
}

func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// NewSpooled wraps a file already at hand (size bytes of ra) and tells its
// format from its first bytes.
func NewSpooled(ra io.ReaderAt, size int64) *Spooled {
	s := &Spooled{ra: ra, size: size, format: CSV}
	var magic [8]byte
	n, _ := ra.ReadAt(magic[:], 0)
	switch {
	case bytes.HasPrefix(magic[:n], []byte("PK\x03\x04")), bytes.HasPrefix(magic[:n], []byte("PK\x05\x06")):
		s.format = XLSX
	case bytes.HasPrefix(magic[:n], []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")):
		s.format, s.legacy = XLSX, true
	}
	return s
}

// Format returns the format the first bytes tell.
func (s *Spooled) Format() Format { return s.format }

// Size returns the file's size in bytes.
func (s *Spooled) Size() int64 { return s.size }

// Reader reads the file from its start (each call anew).
func (s *Spooled) Reader() io.Reader { return s.section() }

// Close closes and removes a temporary file made by Spool; for a file
// given to NewSpooled it does nothing.
func (s *Spooled) Close() error {
	switch {
	case s.file != nil:
		err := s.file.Close()
		return errors.Join(err, os.Remove(s.file.Name()))
	default:
		if c, ok := s.ra.(*closer); ok {
			return c.Close()
		}
	}
	return nil
}

func (s *Spooled) section() *io.SectionReader { return io.NewSectionReader(s.ra, 0, s.size) }
