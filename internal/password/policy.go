package password

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn/frequency"

	"tongxin/internal/apperr"
)

// Length bounds, in characters.
const (
	MinLength = 8
	MaxLength = 128
)

// Validate adds to fs what is wrong with pw as a new password of username
// (field names the field in errors): required, blank (only spaces),
// control_chars, too_short, too_long, same_as_username, common.
func Validate(fs *apperr.Fields, field, pw, username string) {
	n := utf8.RuneCountInString(pw)
	switch {
	case pw == "":
		fs.Add(field, "required")
	case strings.TrimSpace(pw) == "":
		fs.Add(field, "blank")
	case !utf8.ValidString(pw) || strings.IndexFunc(pw, unicode.IsControl) >= 0:
		fs.Add(field, "control_chars")
	case n < MinLength:
		fs.Add(field, "too_short", "Min", MinLength)
	case n > MaxLength:
		fs.Add(field, "too_long", "Max", MaxLength)
	case username != "" && strings.EqualFold(strings.TrimSpace(pw), strings.TrimSpace(username)):
		fs.Add(field, "same_as_username")
	case Common(pw):
		fs.Add(field, "common")
	}
}

// Common reports whether pw (ignoring case and surrounding spaces) is one
// of the passwords people choose most: zxcvbn's ranked list of about
// 30,000 passwords from public breaches, and the ones Chinese users are
// known to favour (which that list, drawn mostly from English-language
// sites, lacks).
func Common(pw string) bool {
	commonOnce.Do(loadCommon)
	_, ok := common[strings.ToLower(strings.TrimSpace(pw))]
	return ok
}

var (
	commonOnce sync.Once
	common     map[string]struct{}
)

// chinese holds passwords common on Chinese sites (numeric runs, dates,
// "I love you" in pinyin and numbers, QQ-style prefixes) of at least
// MinLength characters.
var chinese = []string{
	"12345678", "123456789", "1234567890", "0123456789", "87654321", "987654321", "11111111", "111111111",
	"1111111111", "00000000", "000000000", "0000000000", "88888888", "888888888", "66666666", "666666666",
	"22222222", "99999999", "999999999", "12121212", "11223344", "12344321", "12341234", "123123123",
	"123321123", "110110110", "147258369", "147852369", "123654789", "789456123", "741852963", "159753852",
	"31415926", "5201314520", "520131400", "52013140", "13145200", "woaini1314", "woaini520", "woaini123",
	"woaiwojia", "wodemima", "zhongguo", "zhongguo123", "iloveyou1314", "a123456789", "a12345678",
	"abc123456", "abc12345678", "123456abc", "123456aa", "aa123456", "aa12345678", "qq123456", "qq12345678",
	"qwe123456", "asd123456", "zxc123456", "123456qwe", "1qaz2wsx", "1q2w3e4r", "qazwsxedc", "asdasdasd",
	"qwertyuiop", "asdfghjkl", "zxcvbnm123", "password1", "passw0rd", "admin123", "admin888", "admin12345",
	"administrator", "root1234", "test1234", "abcd1234", "1234qwer", "qwer1234", "aaaaaaaa", "qqqqqqqq",
	"dearbook", "xiazhili", "123456789a", "tongxin123", "tongxin2022", "dangjian123",
}

func loadCommon() {
	list := frequency.FrequencyLists["passwords"]
	common = make(map[string]struct{}, len(list)/2+len(chinese))
	for _, pw := range list {
		if utf8.RuneCountInString(pw) >= MinLength {
			common[pw] = struct{}{}
		}
	}
	for _, pw := range chinese {
		common[pw] = struct{}{}
	}
}
