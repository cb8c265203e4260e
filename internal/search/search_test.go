package search

import (
	"strings"
	"testing"
)

func TestKeyFindsChineseAndPinyin(t *testing.T) {
	key := Key("成达齿轮", "晋江市安东园", "91350582MA2Y1KHA6X")
	for _, q := range []string{"齿轮", "成达", "cdcl", "CDCL", "chengda", "chengdachilun", "安东", "ma2y1", "ｃｄｃｌ", "cheng da"} {
		if !strings.Contains(key, Normalize(q)) {
			t.Errorf("key %q does not contain %q", key, Normalize(q))
		}
	}
	for _, q := range []string{"齿轮厂", "cdx", "轮安"} {
		if strings.Contains(key, Normalize(q)) {
			t.Errorf("key %q unexpectedly contains %q", key, Normalize(q))
		}
	}
}

func TestPinyinKeepsLettersAndDigits(t *testing.T) {
	full, ini := Pinyin("361度 Sports")
	if full != "361dusports" || ini != "361dsports" {
		t.Errorf("Pinyin = %q, %q", full, ini)
	}
}
