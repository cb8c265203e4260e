package i18n

import (
	"strings"
	"testing"
	"testing/fstest"
)

// The catalogue as the whole server assembles it (with every domain's
// messages) is checked in package server; here, the mechanics.

func TestAddRefusesConflictsAndMismatchedCatalogues(t *testing.T) {
	files := func(zh, en string) fstest.MapFS {
		return fstest.MapFS{"zh-CN.json": {Data: []byte(zh)}, "en.json": {Data: []byte(en)}}
	}
	if err := Add(files(`{"test.a":"甲"}`, `{"test.a":"A"}`)); err != nil {
		t.Fatal(err)
	}
	if err := Add(files(`{"test.a":"甲"}`, `{"test.a":"A"}`)); err != nil {
		t.Fatalf("adding the same messages again: %v", err)
	}
	if err := Add(files(`{"test.a":"乙"}`, `{"test.a":"A"}`)); err == nil {
		t.Fatal("a second meaning for test.a was accepted")
	}
	if err := Add(files(`{"test.b":"乙"}`, `{"test.c":"C"}`)); err == nil {
		t.Fatal("catalogues with different ids were accepted")
	}
	if For("en").T("test.a", nil) != "A" || For("").T("test.a", nil) != "甲" || !For("en").Has("test.a") || For("en").Has("test.b") {
		t.Fatal("added messages")
	}
}

func TestBaseCataloguesHaveTheSameIDs(t *testing.T) {
	zh, en := IDs("zh-CN"), IDs("en")
	if strings.Join(zh, "\n") != strings.Join(en, "\n") {
		t.Fatalf("catalogues differ:\nzh-CN: %v\nen: %v", zh, en)
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
	if For("en").Label("no_such_field") != "no_such_field" || For("").Label("name") != "名称" {
		t.Error("labels")
	}
}
