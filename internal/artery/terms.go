package artery

import (
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// Terms of a text, for matching. Chinese is written without spaces, and
// a word segmenter needs a dictionary that misses exactly the trade words
// listings are made of (数控, 鞋材, 模具 …); overlapping character bigrams
// need none and find every two-character word a segmenter would, at the
// price of some meaningless pairs that inverse document frequency then
// weighs down. (Adding trigrams, or ending runs at function characters
// such as 的 and 和, both lowered precision on the labelled set: see
// TestPrecisionAt5.) A run of one Han character counts as itself; Latin
// letters and digits count as whole lower-cased words.
func terms(s string) []string {
	s = strings.ToLower(width.Fold.String(s))
	var out []string
	var han []rune
	var word []rune
	flushHan := func() {
		switch {
		case len(han) == 1:
			out = append(out, string(han))
		case len(han) > 1:
			for i := 0; i+1 < len(han); i++ {
				out = append(out, string(han[i:i+2]))
			}
		}
		han = han[:0]
	}
	flushWord := func() {
		if len(word) > 1 {
			out = append(out, string(word))
		}
		word = word[:0]
	}
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			flushWord()
			han = append(han, r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			flushHan()
			word = append(word, r)
		default:
			flushHan()
			flushWord()
		}
	}
	flushHan()
	flushWord()
	return out
}

// joiners are function characters that join words rather than make them.
const joiners = "的了和与及或等为在对把将于以之并可"

// sharedPhrases returns the stretches of text made of terms in shared,
// longest first and each once: the bigrams 数控, 控机 and 机床 shared with
// another listing read as 数控机床.
func sharedPhrases(text string, shared map[string]bool, max int) []string {
	s := []rune(strings.ToLower(width.Fold.String(text)))
	// link[i]: the bigram at i is shared; a phrase is a run of links.
	link := make([]bool, len(s))
	for i := 0; i+1 < len(s); i++ {
		link[i] = unicode.Is(unicode.Han, s[i]) && unicode.Is(unicode.Han, s[i+1]) && shared[string(s[i:i+2])]
	}
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		// A function character at either end (食品原料和) reads as noise.
		p = strings.TrimRight(strings.TrimLeft(p, joiners), joiners)
		if len([]rune(p)) > 1 && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for i := 0; i < len(s); i++ {
		if !link[i] {
			continue
		}
		j := i
		for j+1 < len(s) && link[j+1] {
			j++
		}
		add(string(s[i : j+2]))
		i = j
	}
	for _, t := range terms(text) {
		if shared[t] && !unicode.Is(unicode.Han, []rune(t)[0]) {
			add(t)
		}
	}
	// longest first, stable
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && len([]rune(out[j])) > len([]rune(out[j-1])); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	if len(out) > max {
		out = out[:max]
	}
	return out
}
