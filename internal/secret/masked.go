package secret

import "sync"

// A Mask is how a value is shown when it is not revealed (a phone as
// 138****1234), named so that what it shows can be remembered apart from
// other masks.
type Mask struct {
	name string
	show func(string) string
}

// NewMask names show as a mask.
func NewMask(name string, show func(string) string) Mask { return Mask{name, show} }

// maxMasked bounds the masked values Keys remember: about 2.5 MB at
// 16,384 (a sealed value of about 65 bytes and its masked form).
const maxMasked = 1 << 14

type maskedKey struct{ mask, sealed string }

// masked remembers what sealed values show through a mask.
type masked struct {
	mu   sync.RWMutex
	seen map[maskedKey]string
}

// OpenMasked is Open shown through m ("" for no value), remembered: a
// sealed value never changes — a new value, or the same one under another
// key, is sealed anew with a new nonce — so neither does what it shows,
// and a list that shows the same people again opens none of them (two
// AES-GCM opens, six allocations a person). Only the sealed value and its
// masked form are remembered, never the value in clear; the memo starts
// afresh when it holds maxMasked of them.
func (k *Keys) OpenMasked(sealed string, m Mask) (string, error) {
	if sealed == "" {
		return "", nil
	}
	key := maskedKey{m.name, sealed}
	k.masked.mu.RLock()
	shown, ok := k.masked.seen[key]
	k.masked.mu.RUnlock()
	if ok {
		return shown, nil
	}
	clear, err := k.Open(sealed)
	if err != nil {
		return "", err
	}
	if clear != "" {
		shown = m.show(clear)
	}
	k.masked.mu.Lock()
	if len(k.masked.seen) >= maxMasked || k.masked.seen == nil {
		k.masked.seen = make(map[maskedKey]string, 1024)
	}
	k.masked.seen[key] = shown
	k.masked.mu.Unlock()
	return shown, nil
}
