package ident

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestUSCC(t *testing.T) {
	for in, want := range map[string]string{
		"91350582MA2Y1KHA6X": "check_digit", // last character altered
		"91110000600037341L": "",            // a published code
		"9111000060003734":   "length",
		"91110000600037341I": "charset",
		"91110000600037342L": "check_digit",
		"":                   "length",
		"９1110000600037341L": "charset",
	} {
		if got := USCCError(NormalizeUSCC(in)); got != want {
			t.Errorf("USCCError(%q) = %q, want %q", in, got, want)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		if s := NewUSCC(r, "350582"); USCCError(s) != "" {
			t.Fatalf("NewUSCC made %q: %s", s, USCCError(s))
		}
	}
}

func TestIDNumber(t *testing.T) {
	for in, want := range map[string]string{
		"11010519491231002X": "", // the standard's example
		"11010519491231002x": "",
		"110105194912310021": "check_digit",
		"11010519491331002X": "birth_date",
		"1101051949123100":   "format",
		"01010519491231002X": "format",
		"11010530001231002X": "birth_date",
	} {
		if got := IDNumberError(NormalizeIDNumber(in)); got != want {
			t.Errorf("IDNumberError(%q) = %q, want %q", in, got, want)
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	birth := time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC)
	for i := range 1000 {
		male := i%2 == 0
		s := NewIDNumber(r, "350582", birth, male)
		if err := IDNumberError(s); err != "" {
			t.Fatalf("NewIDNumber made %q: %s", s, err)
		}
		if g := IDGender(s); (g == "male") != male {
			t.Fatalf("%q gender %s, want male=%v", s, g, male)
		}
	}
}

func TestMobile(t *testing.T) {
	for in, want := range map[string]bool{
		"13812345678":       true,
		"+86 138 1234 5678": true,
		"0086-13812345678":  true,
		"12812345678":       false,
		"1381234567":        false,
		"138123456789":      false,
		"0595-85678901":     false,
	} {
		if got := ValidMobile(NormalizeMobile(in)); got != want {
			t.Errorf("ValidMobile(%q) = %v", in, got)
		}
	}
	if got := MaskMobile("13812345678"); got != "138****5678" {
		t.Errorf("MaskMobile = %q", got)
	}
	if got := MaskIDNumber("35058219900517123X"); got != "3505**********123X" {
		t.Errorf("MaskIDNumber = %q", got)
	}
}
