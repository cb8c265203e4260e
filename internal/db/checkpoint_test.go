package db_test

import (
	"context"
	"path/filepath"
	"testing"

	"tongxin/internal/db"
)

// The writer checkpoints every WALCheckpointPages pages and keeps its
// temporary files (the savepoints' sub-journals) in memory; the readers
// do not write, so their settings do not matter.
func TestWriterPragmas(t *testing.T) {
	d, err := db.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var n int
	if err := d.W.QueryRowContext(context.Background(), "PRAGMA wal_autocheckpoint").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != db.WALCheckpointPages {
		t.Fatalf("writer's wal_autocheckpoint = %d, want %d", n, db.WALCheckpointPages)
	}
	if err := d.W.QueryRowContext(context.Background(), "PRAGMA temp_store").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 { // MEMORY
		t.Fatalf("writer's temp_store = %d, want 2 (memory)", n)
	}
}
