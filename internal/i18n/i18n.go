// Package i18n holds the translation catalogue (zh-CN first, en second)
// and picks a language from Accept-Language. Every word a user reads from
// the server comes from a catalogue: the shared one in locales/*.json and
// one per domain, added with Add when the server assembles its domains;
// handlers never hold display text.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed locales/*.json
var locales embed.FS

// Languages the catalogue holds, default first.
var Languages = []language.Tag{language.MustParse("zh-CN"), language.English}

// Files names the catalogue file of each language.
var Files = []string{"zh-CN.json", "en.json"}

var (
	mu     sync.RWMutex
	bundle = goi18n.NewBundle(Languages[0])
	texts  = map[string]map[string]string{} // language → id → text, for conflict checks
)

func init() {
	if err := Add(Dir(locales)); err != nil {
		panic(fmt.Sprintf("i18n: %v", err))
	}
}

// Dir returns the "locales" folder of an embedded file system: where every
// domain keeps its catalogue (//go:embed locales/*.json).
func Dir(embedded fs.FS) fs.FS {
	sub, err := fs.Sub(embedded, "locales")
	if err != nil {
		panic(fmt.Sprintf("i18n: %v", err)) // an embed pattern that names no folder is a build mistake
	}
	return sub
}

// Read returns the messages of one catalogue file of fsys (id → text).
func Read(fsys fs.FS, file string) (map[string]string, error) {
	b, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return m, nil
}

// Add adds the catalogue files of fsys (zh-CN.json and en.json; both must
// hold the same ids). Adding a message that is already there with the same
// text does nothing; with another text it is an error, so two domains
// cannot give one id two meanings.
func Add(fsys fs.FS) error {
	msgs := make([]map[string]string, len(Files))
	for i, f := range Files {
		m, err := Read(fsys, f)
		if err != nil {
			return err
		}
		msgs[i] = m
	}
	if a, b := keys(msgs[0]), keys(msgs[1]); strings.Join(a, "\n") != strings.Join(b, "\n") {
		return fmt.Errorf("catalogues %s and %s hold different ids", Files[0], Files[1])
	}
	mu.Lock()
	defer mu.Unlock()
	for i, tag := range Languages {
		lang := tag.String()
		if texts[lang] == nil {
			texts[lang] = map[string]string{}
		}
		var add []*goi18n.Message
		for id, text := range msgs[i] {
			if old, ok := texts[lang][id]; ok {
				if old != text {
					return fmt.Errorf("%s: %q is already %q, not %q", lang, id, old, text)
				}
				continue
			}
			texts[lang][id] = text
			add = append(add, &goi18n.Message{ID: id, Other: text})
		}
		if len(add) > 0 {
			if err := bundle.AddMessages(tag, add...); err != nil {
				return err
			}
		}
	}
	return nil
}

func keys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// IDs returns every message id of lang in the catalogue as assembled.
func IDs(lang string) []string {
	mu.RLock()
	defer mu.RUnlock()
	return keys(texts[lang])
}

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
	mu.RLock()
	defer mu.RUnlock()
	s, err := l.l.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return id
	}
	return s
}

// Has reports whether id exists in the catalogue of this language.
func (l *Localizer) Has(id string) bool {
	mu.RLock()
	defer mu.RUnlock()
	_, ok := texts[l.lang][id]
	return ok
}

// Label translates a field name ("field.<name>"), falling back to the name.
func (l *Localizer) Label(field string) string {
	id := "field." + field
	if s := l.T(id, nil); s != id {
		return s
	}
	return field
}
