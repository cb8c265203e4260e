// Package ident checks, normalises, masks and generates the identifiers of
// Chinese organisations and people: the unified social credit code (统一社
// 会信用代码, GB 32100-2015), the citizen identity number (公民身份号码,
// GB 11643-1999) and mainland mobile numbers.
package ident

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"tongxin/internal/secret"
)

// usccChars are the 31 characters a USCC may use (no I, O, Z, S, V), in
// the order that gives each its value.
const usccChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// NormalizeUSCC upper-cases and trims a USCC as people type it.
func NormalizeUSCC(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// USCCError says what is wrong with a normalised USCC: "" when it is
// valid, else "length", "charset" or "check_digit".
func USCCError(s string) string {
	if utf8.RuneCountInString(s) != 18 {
		return "length"
	}
	sum := 0
	for i := 0; i < 18; i++ {
		v := strings.IndexByte(usccChars, s[i])
		if v < 0 {
			return "charset"
		}
		if i < 17 {
			sum += v * usccWeights[i]
		}
	}
	if s[17] != usccCheck(sum) {
		return "check_digit"
	}
	return ""
}

func usccCheck(sum int) byte { return usccChars[(31-sum%31)%31] }

// NewUSCC returns a valid USCC for an enterprise (registration 9, type 1)
// registered in division (6 digits), with a random organisation code.
func NewUSCC(r *rand.Rand, division string) string {
	b := []byte("91" + division)
	for len(b) < 17 {
		b = append(b, usccChars[r.IntN(len(usccChars))])
	}
	return CompleteUSCC(string(b))
}

// CompleteUSCC appends the check character to the first 17 characters of
// a USCC (all from the USCC alphabet).
func CompleteUSCC(s17 string) string {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += strings.IndexByte(usccChars, s17[i]) * usccWeights[i]
	}
	return s17 + string(usccCheck(sum))
}

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idChecks = "10X98765432"

var idPattern = regexp.MustCompile(`^[1-9][0-9]{16}[0-9X]$`)

// NormalizeIDNumber upper-cases the check character and trims.
func NormalizeIDNumber(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// IDNumberError says what is wrong with a normalised identity number: ""
// when it is valid, else "format", "birth_date" or "check_digit".
func IDNumberError(s string) string {
	if !idPattern.MatchString(s) {
		return "format"
	}
	birth, err := time.Parse("20060102", s[6:14])
	if err != nil || birth.Year() < 1900 || birth.After(time.Now()) {
		return "birth_date"
	}
	if s[17] != idCheck(s) {
		return "check_digit"
	}
	return ""
}

func idCheck(s string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(s[i]-'0') * idWeights[i]
	}
	return idChecks[sum%11]
}

// NewIDNumber returns a valid identity number for someone born on birth in
// division (6 digits); the sequence digit's parity gives the gender
// (odd male, even female).
func NewIDNumber(r *rand.Rand, division string, birth time.Time, male bool) string {
	seq := r.IntN(500) * 2
	if male {
		seq++
	}
	s := fmt.Sprintf("%s%s%03d", division, birth.Format("20060102"), seq)
	return s + string(idCheck(s))
}

// IDGender returns "male" or "female" from a valid identity number.
func IDGender(s string) string {
	if (s[16]-'0')%2 == 1 {
		return "male"
	}
	return "female"
}

var mobilePattern = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

// NormalizeMobile removes spaces and dashes and a leading +86 or 0086.
func NormalizeMobile(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	for _, p := range []string{"+86", "0086"} {
		if strings.HasPrefix(s, p) && len(s) == len(p)+11 {
			return s[len(p):]
		}
	}
	return s
}

// ValidMobile reports whether a normalised number is a mainland mobile
// number (11 digits starting 13–19).
func ValidMobile(s string) bool { return mobilePattern.MatchString(s) }

// NewMobile returns a valid-looking mobile number.
func NewMobile(r *rand.Rand) string {
	prefixes := []string{"135", "136", "137", "138", "139", "150", "151", "158", "159", "186", "187", "188", "177", "199"}
	return fmt.Sprintf("%s%08d", prefixes[r.IntN(len(prefixes))], r.IntN(100000000))
}

// MaskMobile shows the first 3 and last 4 digits: 138****5678.
func MaskMobile(s string) string {
	if len(s) < 8 {
		return strings.Repeat("*", len(s))
	}
	return s[:3] + strings.Repeat("*", len(s)-7) + s[len(s)-4:]
}

// MaskIDNumber shows the first 4 and last 4 characters:
// 3505**********123X.
func MaskIDNumber(s string) string {
	if len(s) < 9 {
		return strings.Repeat("*", len(s))
	}
	return s[:4] + strings.Repeat("*", len(s)-8) + s[len(s)-4:]
}

// MobileMask and IDNumberMask are MaskMobile and MaskIDNumber as the masks
// secret.Keys.OpenMasked shows sealed values through and remembers.
var (
	MobileMask   = secret.NewMask("mobile", MaskMobile)
	IDNumberMask = secret.NewMask("id_number", MaskIDNumber)
)
