package i18n

import (
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"testing"
)

func TestCataloguesHaveTheSameKeys(t *testing.T) {
	keys := func(f string) []string {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		return ks
	}
	zh, en := keys("locales/zh-CN.json"), keys("locales/en.json")
	if strings.Join(zh, "\n") != strings.Join(en, "\n") {
		t.Fatalf("catalogues differ:\nzh-CN: %v\nen: %v", zh, en)
	}
}

// Every message id the code names must exist in both catalogues.
func TestEveryUsedMessageExists(t *testing.T) {
	out, err := exec.Command("grep", "-rhoE", `"(problem|field_error|console)\.[a-z_.]+"`, "../", "--include=*.go").Output()
	if err != nil {
		t.Fatal(err)
	}
	dynamic := regexp.MustCompile(`^"problem\.$|\.$`)
	for _, l := range []*Localizer{For("zh-CN"), For("en")} {
		for _, id := range strings.Fields(string(out)) {
			if dynamic.MatchString(id) || strings.Contains(id, "_test") {
				continue
			}
			id = strings.Trim(id, `"`)
			if !l.Has(id) {
				t.Errorf("%s: missing %s", l.Lang(), id)
			}
		}
	}
	// Codes map to problem.<code>.title and .detail.
	for _, code := range []string{"invalid", "unauthorized", "forbidden", "not_found", "conflict", "precondition_failed",
		"too_large", "validation", "rate_limited", "unavailable", "internal"} {
		for _, l := range []*Localizer{For("zh-CN"), For("en")} {
			if !l.Has("problem."+code+".title") || !l.Has("problem."+code+".detail") {
				t.Errorf("%s: no title/detail for %s", l.Lang(), code)
			}
		}
	}
}

func TestLanguageChoice(t *testing.T) {
	for h, want := range map[string]string{"": "zh-CN", "en": "en", "en-US,en;q=0.9": "en", "zh-CN,zh;q=0.9": "zh-CN",
		"fr": "zh-CN", "zh-TW": "zh-CN", "de;q=0.9, en;q=0.5": "en"} {
		if got := For(h).Lang(); got != want {
			t.Errorf("Accept-Language %q → %s, want %s", h, got, want)
		}
	}
	if For("en").T("field_error.required", map[string]any{"Label": "Name"}) != "Name is required." {
		t.Error("template not filled")
	}
}
