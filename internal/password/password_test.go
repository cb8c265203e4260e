package password

import (
	"context"
	"strings"
	"testing"
	"time"

	"tongxin/internal/apperr"
)

func TestPoolTurnsAwayWhatItCannotRunSoon(t *testing.T) {
	p := NewPool(2, 20*time.Millisecond)
	ctx := context.Background()
	h, err := p.Hash(ctx, "Pool-password-1")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := p.Check(ctx, h, "Pool-password-1"); !ok || err != nil {
		t.Fatalf("check: %v %v", ok, err)
	}
	if ok, _ := p.Check(ctx, h, "Pool-password-2"); ok {
		t.Fatal("a wrong password matched")
	}
	// Both slots busy: the next hash waits its 20 ms, then is refused.
	p.slots <- struct{}{}
	p.slots <- struct{}{}
	start := time.Now()
	_, err = p.Hash(ctx, "x")
	var e *apperr.Error
	if !apperr.Is(err, apperr.Unavailable) || !asErr(err, &e) || e.RetryAfter <= 0 || time.Since(start) > time.Second {
		t.Fatalf("busy pool: %v after %v", err, time.Since(start))
	}
	// A caller who gives up gets its context's error.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := p.Check(cctx, h, "x"); err != context.Canceled {
		t.Fatalf("cancelled: %v", err)
	}
	<-p.slots
	if _, err := p.Hash(ctx, "x"); err != nil {
		t.Fatalf("a slot freed: %v", err)
	}
	if NewPool(0, time.Second).Size() < 2 {
		t.Fatal("default size")
	}
}

func asErr(err error, e **apperr.Error) bool {
	x, ok := err.(*apperr.Error)
	*e = x
	return ok
}

func TestStoredHashCannotAskForUnboundedWork(t *testing.T) {
	for _, h := range []string{
		"$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g", // 4 GiB
		"$argon2id$v=19$m=19456,t=1000,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
		"$argon2id$v=19$m=19456,t=2,p=0$c2FsdHNhbHQ$aGFzaGhhc2g",
		"$bcrypt$whatever", "",
	} {
		if check(h, "x") {
			t.Errorf("%q matched", h)
		}
	}
}

func TestValidate(t *testing.T) {
	for pw, want := range map[string]string{
		"":                                 "required",
		"   \t  ":                          "blank",
		"abc\x00defgh":                     "control_chars",
		"abc\ndefghi":                      "control_chars",
		"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8": "control_chars",
		"Ab1!":                             "too_short",
		strings.Repeat("a", 129):           "too_long",
		"zhang.wei":                        "same_as_username",
		"ZHANG.WEI":                        "same_as_username",
		"password":                         "common",
		"PASSWORD1":                        "common",
		"iloveyou":                         "common",
		"woaini1314":                       "common",
		"1qaz2wsx":                         "common",
		"88888888":                         "common",
		"Hetang-河塘-2024":                   "",
		"correct horse battery":            "",
	} {
		var fs apperr.Fields
		Validate(&fs, "password", pw, "zhang.wei")
		got := ""
		if len(fs) > 0 {
			got = fs[0].Code
		}
		if got != want || len(fs) > 1 {
			t.Errorf("%q: %v, want %s", pw, fs, want)
		}
	}
}
