package secret

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDeriveSealOpenSign(t *testing.T) {
	if _, err := Derive("short"); err == nil {
		t.Fatal("a short secret was accepted")
	}
	k, err := Derive(strings.Repeat("同", 32)) // 32 characters, not bytes
	if err != nil {
		t.Fatal(err)
	}
	sealed := k.Seal("13800138000")
	if sealed == "13800138000" || strings.Contains(sealed, "138001") {
		t.Fatalf("not encrypted: %s", sealed)
	}
	if k.Seal("13800138000") == sealed {
		t.Fatal("sealing is deterministic: nonces repeat")
	}
	if got, err := k.Open(sealed); err != nil || got != "13800138000" {
		t.Fatalf("open: %q %v", got, err)
	}
	other, err := Derive(strings.Repeat("x", 32))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Open(sealed); err == nil {
		t.Fatal("another key opened the data")
	}
	if _, err := k.Open(sealed[:len(sealed)-2] + "AA"); err == nil {
		t.Fatal("tampered ciphertext opened")
	}
	mac := k.Sign("checkin:1")
	if !k.Verify("checkin:1", mac) || k.Verify("checkin:2", mac) || other.Verify("checkin:1", mac) {
		t.Fatal("signatures do not bind message and key")
	}
}

func TestResolve(t *testing.T) {
	if _, _, err := Resolve("", ""); err == nil || !strings.Contains(err.Error(), "TONGXIN_SECRET_KEY") {
		t.Fatalf("PostgreSQL without a key: %v", err)
	}
	if _, _, err := Resolve("too-short", "/x.db"); err == nil {
		t.Fatal("short configured key accepted")
	}
	db := filepath.Join(t.TempDir(), "t.db")
	s1, gen, err := Resolve("", db)
	if err != nil || !gen || len(s1) < MinLength {
		t.Fatalf("generate: %q %v %v", s1, gen, err)
	}
	st, err := os.Stat(db + ".key")
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v %v", st.Mode(), err)
	}
	s2, gen, err := Resolve("", db)
	if err != nil || gen || s2 != s1 {
		t.Fatalf("second start must reuse the key: %v %v", gen, err)
	}
}

func TestRotationAndIndex(t *testing.T) {
	old, _ := Derive(strings.Repeat("o", 32))
	sealedOld := old.Seal("35058219900517123X")
	if Sealed(sealedOld) != old.KeyID() {
		t.Fatalf("sealed value names %q, want %q", Sealed(sealedOld), old.KeyID())
	}
	cur, err := Derive(strings.Repeat("n", 32), strings.Repeat("o", 32))
	if err != nil {
		t.Fatal(err)
	}
	if cur.KeyID() == old.KeyID() {
		t.Fatal("two secrets share a key id")
	}
	if got, err := cur.Open(sealedOld); err != nil || got != "35058219900517123X" {
		t.Fatalf("previous key no longer opens: %q %v", got, err)
	}
	if Sealed(cur.Seal("x")) != cur.KeyID() {
		t.Fatal("new values must be sealed with the current key")
	}
	alone, _ := Derive(strings.Repeat("n", 32))
	if _, err := alone.Open(sealedOld); err == nil || !strings.Contains(err.Error(), old.KeyID()) {
		t.Fatalf("an unknown key id must be named: %v", err)
	}
	if cur.Index("phone", "13812345678") != cur.Index("phone", "13812345678") {
		t.Fatal("the index is not deterministic")
	}
	if cur.Index("phone", "13812345678") == cur.Index("id_number", "13812345678") ||
		cur.Index("phone", "13812345678") == old.Index("phone", "13812345678") ||
		cur.Index("phone", "13812345678") == cur.Index("phone", "13812345679") {
		t.Fatal("the index does not separate purposes, keys and values")
	}
}
