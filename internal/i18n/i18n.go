// Package i18n holds the translation catalogue (zh-CN first, en second)
// and picks a language from Accept-Language. Every word a user reads from
// the server comes from locales/*.json; handlers never hold display text.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed locales/*.json
var locales embed.FS

// Languages the catalogue holds, default first.
var Languages = []language.Tag{language.MustParse("zh-CN"), language.English}

var bundle = func() *goi18n.Bundle {
	b := goi18n.NewBundle(Languages[0])
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	for _, f := range []string{"locales/zh-CN.json", "locales/en.json"} {
		if _, err := b.LoadMessageFileFS(locales, f); err != nil {
			panic(fmt.Sprintf("i18n: %s: %v", f, err))
		}
	}
	return b
}()

var matcher = language.NewMatcher(Languages)

// Localizer translates into one language.
type Localizer struct {
	lang string
	l    *goi18n.Localizer
}

// For returns the localizer best matching an Accept-Language header;
// zh-CN when nothing matches.
func For(acceptLanguage string) *Localizer {
	tags, _, _ := language.ParseAcceptLanguage(acceptLanguage)
	_, idx, conf := matcher.Match(tags...)
	tag := Languages[0]
	if conf != language.No {
		tag = Languages[idx]
	}
	return &Localizer{lang: tag.String(), l: goi18n.NewLocalizer(bundle, tag.String())}
}

// Lang returns the BCP 47 tag in use ("zh-CN" or "en").
func (l *Localizer) Lang() string { return l.lang }

// T translates id with data; a missing id returns the id itself (a test
// checks that every id used exists in every catalogue).
func (l *Localizer) T(id string, data map[string]any) string {
	s, err := l.l.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return id
	}
	return s
}

// Has reports whether id exists in the catalogue of this language.
func (l *Localizer) Has(id string) bool {
	_, tag, err := l.l.LocalizeWithTag(&goi18n.LocalizeConfig{MessageID: id})
	return err == nil && strings.EqualFold(tag.String(), l.lang)
}

// Label translates a field name ("field.<name>"), falling back to the name.
func (l *Localizer) Label(field string) string {
	id := "field." + field
	if s := l.T(id, nil); s != id {
		return s
	}
	return field
}
