package servicenet

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
)

// Photo is a picture attached to a request.
type Photo struct {
	ID          string    `json:"id"`
	RequestID   string    `json:"request_id"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	CreatedAt   time.Time `json:"created_at"`
}

// sniffImage tells an image's type from its first bytes: JPEG, PNG, GIF
// and WebP, the formats phones and browsers show; "" for anything else
// (whatever the client claimed).
func sniffImage(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg"
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		return "image/gif"
	case len(head) >= 12 && bytes.Equal(head[:4], []byte("RIFF")) && bytes.Equal(head[8:12], []byte("WEBP")):
		return "image/webp"
	}
	return ""
}

// AddPhoto stores the image r (size bytes, already bounded by MaxPhoto at
// the edge) on request id. The file is checked first — an image by its
// bytes, not its claimed type — so a hostile file is refused before
// anything is looked up. Callers are the point's staff (service_request.work)
// and whoever filed the request. Returns EVALIDATION (not an image, field
// file), ENOTFOUND, EFORBIDDEN, ECONFLICT (MaxPhotos reached).
func (s *Service) AddPhoto(ctx context.Context, id string, r io.Reader, size int64) (Photo, error) {
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return Photo{}, err
	}
	head = head[:n]
	ct := sniffImage(head)
	if ct == "" {
		return Photo{}, apperr.Field("file", "not_an_image")
	}
	p := access.From(ctx)
	var ph Photo
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		req, err := s.getRequest(ctx, tx, id)
		if err != nil {
			return err
		}
		if !p.Scope(RequestWork).Covers(req.pointPath) && !own(p, req) {
			return apperr.New(apperr.Forbidden, "")
		}
		if len(req.PhotoIDs) >= MaxPhotos {
			return apperr.New(apperr.Conflict, "problem.photo_limit", "Max", MaxPhotos)
		}
		ph = Photo{ID: uuid.Must(uuid.NewV7()).String(), RequestID: id, ContentType: ct, Size: size, CreatedAt: tx.Now}
		if _, err := tx.ExecContext(ctx, `INSERT INTO service_request_photos (id, request_id, zone_id, content_type, size, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, ph.ID, id, req.ZoneID, ct, size, db.NullString(p.UserID), db.Micros(tx.Now)); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: req.ZoneID, Node: req.PointID, Entity: "service_request", EntityID: id, Action: "attach",
			Summary: map[string]any{"photo_id": ph.ID, "content_type": ct, "size": size}}); err != nil {
			return err
		}
		// The file is written before the row commits: a failed commit
		// leaves an orphan file (removed below), never a row without one.
		return s.writePhoto(ph.ID, io.MultiReader(bytes.NewReader(head), r))
	})
	if err != nil && ph.ID != "" {
		os.Remove(s.photoPath(ph.ID))
	}
	return ph, err
}

// photoPath is where a photo lies: PhotoDir/<first two characters of the
// id's random tail>/<id>, so that no folder grows too large.
func (s *Service) photoPath(id string) string {
	return filepath.Join(s.PhotoDir, id[len(id)-2:], id)
}

func (s *Service) writePhoto(id string, r io.Reader) error {
	path := s.photoPath(id)
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("photo folder: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".upload-*")
	if err != nil {
		return fmt.Errorf("photo: %w", err)
	}
	_, err = io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("photo: %w", err)
	}
	return nil
}

// OpenPhoto opens a photo for a caller who may see its request (the
// request's point staff, auditors, whoever filed it). The caller closes
// the file. Returns ENOTFOUND.
func (s *Service) OpenPhoto(ctx context.Context, photoID string) (Photo, *os.File, error) {
	var ph Photo
	err := s.DB.R.QueryRowContext(ctx, `SELECT id, request_id, content_type, size, created_at FROM service_request_photos WHERE id = $1`,
		photoID).Scan(&ph.ID, &ph.RequestID, &ph.ContentType, &ph.Size, db.T(&ph.CreatedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return ph, nil, apperr.New(apperr.NotFound, "")
	}
	if err != nil {
		return ph, nil, err
	}
	if _, err := s.getRequest(ctx, s.DB.R, ph.RequestID); err != nil {
		return Photo{}, nil, err
	}
	f, err := os.Open(s.photoPath(ph.ID))
	return ph, f, err
}
