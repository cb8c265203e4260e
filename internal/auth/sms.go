package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/apperr"
	"tongxin/internal/db"
	"tongxin/internal/ident"
)

// One-time codes by SMS. A code is six digits, lives CodeTTL, may be tried
// codeAttempts times and is used once. Sending is limited per phone (one a
// minute, five an hour) and per client address (twenty an hour); the
// counting runs under the same lock rows as sign-in throttling, so a burst
// cannot slip past on any replica. The phone number is stored only as its
// blind index and the code only hashed (keyed: a leaked table yields
// neither numbers nor codes).

// SMS purposes.
const (
	PurposeLogin  = "login"  // sign in with phone and code
	PurposeReset  = "reset"  // set a new password with phone and code
	PurposeInvite = "invite" // confirm a phone number when accepting an invitation
)

// Purposes lists the purposes a code may be asked for.
var Purposes = []string{PurposeLogin, PurposeReset, PurposeInvite}

// Limits on codes.
const (
	CodeTTL      = 5 * time.Minute
	codeAttempts = 5
	perPhoneGap  = time.Minute
	perPhoneHour = 5
	perAddrHour  = 20
)

// Sender delivers one SMS. A real gateway (Aliyun, Tencent Cloud …)
// implements it; Send must not log the full phone number. Messages are
// the code and its purpose; the gateway's template renders the text.
type Sender interface {
	Send(ctx context.Context, phone string, msg SMS) error
}

// SMS is one message to send.
type SMS struct {
	Purpose string
	Code    string
	TTL     time.Duration
}

// LogSender is the development sender: it writes the message to the JSON
// log with the phone masked (138****5678) — and the code, so a developer
// can sign in. Never use it where real people sign in.
type LogSender struct{ Log *slog.Logger }

// Send logs msg.
func (l LogSender) Send(ctx context.Context, phone string, msg SMS) error {
	l.Log.InfoContext(ctx, "sms (log sender, not delivered)", "phone", ident.MaskMobile(phone), "purpose", msg.Purpose,
		"code", msg.Code, "ttl", msg.TTL.String())
	return nil
}

func newCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// hashCode binds a code to its phone and purpose with the platform's key.
func (s *Service) hashCode(phoneIndex, purpose, code string) string {
	return s.Keys.Index("sms_code", phoneIndex+"|"+purpose+"|"+code)
}

// PhoneIndex returns the blind index of a normalised mobile number.
func (s *Service) PhoneIndex(phone string) string { return s.Keys.Index("phone", phone) }

// CheckPhone normalises phone and returns the field error code, or "".
func CheckPhone(phone *string) string {
	*phone = ident.NormalizeMobile(*phone)
	switch {
	case *phone == "":
		return "required"
	case !ident.ValidMobile(*phone):
		return "invalid_mobile"
	}
	return ""
}

// SendCode makes a code for phone and purpose and hands it to the Sender
// when deliver is true. The caller decides deliver so that the answer is
// the same whether or not the number belongs to an account (a code for
// signing in goes only to numbers of accounts, but the limits count every
// request). Returns EVALIDATION, ERATELIMITED (with RetryAfter),
// EUNAVAILABLE when the gateway fails.
func (s *Service) SendCode(ctx context.Context, phone, purpose string, deliver bool) error {
	idx := s.PhoneIndex(phone)
	addr := clientAddr(ctx)
	code := newCode()
	var wait time.Duration
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		wait = 0
		for _, key := range []string{"sms:a:" + addr, "sms:p:" + idx} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO login_locks (key, at) VALUES ($1, $2)
				ON CONFLICT (key) DO UPDATE SET at = excluded.at`, key, db.Micros(tx.Now)); err != nil {
				return err
			}
		}
		hour := db.Micros(tx.Now.Add(-time.Hour))
		var n int
		var last sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), MAX(created_at) FROM sms_codes WHERE phone_index = $1 AND created_at >= $2`,
			idx, hour).Scan(&n, &last); err != nil {
			return err
		}
		if last.Valid && tx.Now.Sub(db.FromMicros(last.Int64)) < perPhoneGap {
			wait = perPhoneGap - tx.Now.Sub(db.FromMicros(last.Int64))
		}
		if n >= perPhoneHour {
			w, err := oldestWait(ctx, tx, `phone_index = $1`, idx, hour, n-perPhoneHour, tx.Now)
			if err != nil {
				return err
			}
			wait = max(wait, w)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sms_codes WHERE client_addr = $1 AND created_at >= $2`, addr, hour).Scan(&n); err != nil {
			return err
		}
		if n >= perAddrHour {
			w, err := oldestWait(ctx, tx, `client_addr = $1`, addr, hour, n-perAddrHour, tx.Now)
			if err != nil {
				return err
			}
			wait = max(wait, w)
		}
		if wait > 0 {
			return nil
		}
		// A new code replaces the earlier ones of the phone and purpose.
		if _, err := tx.ExecContext(ctx, `UPDATE sms_codes SET used_at = $1 WHERE phone_index = $2 AND purpose = $3 AND used_at IS NULL`,
			db.Micros(tx.Now), idx, purpose); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sms_codes (id, phone_index, purpose, code_hash, client_addr, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, uuid.Must(uuid.NewV7()).String(), idx, purpose, s.hashCode(idx, purpose, code), addr,
			db.Micros(tx.Now), db.Micros(tx.Now.Add(CodeTTL)))
		return err
	})
	if err != nil {
		return err
	}
	if wait > 0 {
		e := apperr.New(apperr.RateLimited, "problem.sms_throttled")
		e.RetryAfter = maxSecond(wait)
		return e
	}
	if !deliver {
		return nil
	}
	if err := s.Sender.Send(ctx, phone, SMS{Purpose: purpose, Code: code, TTL: CodeTTL}); err != nil {
		// The code stays (and counts against the limits): a failing
		// gateway must not become a way round them.
		e := apperr.E(apperr.Unavailable, fmt.Errorf("sms sender: %w", err))
		e.RetryAfter = perPhoneGap
		return e
	}
	return nil
}

// oldestWait is how long until the (skip+1)-th oldest row of the last hour
// matching cond ages out.
func oldestWait(ctx context.Context, tx *db.Tx, cond, v string, since int64, skip int, now time.Time) (time.Duration, error) {
	var at int64
	err := tx.QueryRowContext(ctx, `SELECT created_at FROM sms_codes WHERE `+cond+` AND created_at >= $2 ORDER BY created_at LIMIT 1 OFFSET $3`,
		v, since, skip).Scan(&at)
	return db.FromMicros(at).Add(time.Hour).Sub(now), err
}

// UseCode consumes the live code of phone and purpose when code matches
// it, in its own transaction (a code used and then not acted on is gone:
// the person asks for another). A wrong code counts a try; after
// codeAttempts tries, or once used or expired, the code no longer works.
// Concurrent uses of one code: exactly one wins. Returns EVALIDATION on
// field "sms_code" (wrong_code) in every failing case alike.
func (s *Service) UseCode(ctx context.Context, phone, purpose, code string) error {
	idx := s.PhoneIndex(phone)
	ok := false
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		ok = false
		var id, hash string
		var attempts int
		err := tx.QueryRowContext(ctx, `SELECT id, code_hash, attempts FROM sms_codes
			WHERE phone_index = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
			ORDER BY created_at DESC LIMIT 1`, idx, purpose, db.Micros(tx.Now)).Scan(&id, &hash, &attempts)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && attempts >= codeAttempts) {
			return nil
		}
		if err != nil {
			return err
		}
		if len(code) != 6 || subtle.ConstantTimeCompare([]byte(hash), []byte(s.hashCode(idx, purpose, code))) != 1 {
			_, err := tx.ExecContext(ctx, `UPDATE sms_codes SET attempts = attempts + 1 WHERE id = $1`, id)
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE sms_codes SET used_at = $1 WHERE id = $2 AND used_at IS NULL AND attempts < $3`,
			db.Micros(tx.Now), id, codeAttempts)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		ok = n == 1
		return err
	})
	if err != nil {
		return err
	}
	if !ok {
		return apperr.Field("sms_code", "wrong_code")
	}
	return nil
}
