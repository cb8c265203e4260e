package auth

import (
	"context"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/ident"
	"tongxin/internal/password"
)

// RequestCode sends a one-time code to phone for purpose. Codes for
// signing in and resetting a password reach only numbers bound to an
// account, but the answer and the limits are the same for every number:
// nobody learns which numbers have accounts. Invitation codes are sent by
// package invitations, which checks the invitation first (SendCode).
// Returns EVALIDATION, ERATELIMITED, EUNAVAILABLE.
func (s *Service) RequestCode(ctx context.Context, phone, purpose string) error {
	var fs apperr.Fields
	if code := CheckPhone(&phone); code != "" {
		fs.Add("phone", code)
	}
	switch purpose {
	case PurposeLogin, PurposeReset:
	case "":
		fs.Add("purpose", "required")
	default:
		fs.Add("purpose", "invalid_choice")
	}
	if err := fs.Err(); err != nil {
		return err
	}
	acct, _, err := s.lookup(ctx, byPhone, s.PhoneIndex(phone))
	if err != nil {
		return err
	}
	return s.SendCode(ctx, phone, purpose, acct.id != "")
}

// ResetPassword sets a new password for the account bound to phone with a
// one-time code (purpose reset) and ends all its sessions. Attempts count
// under the phone's sign-in throttle. Returns EVALIDATION (a wrong code on
// field "sms_code", also for a number without an account), ERATELIMITED,
// EUNAVAILABLE.
func (s *Service) ResetPassword(ctx context.Context, phone, code, next string) error {
	var fs apperr.Fields
	if c := CheckPhone(&phone); c != "" {
		fs.Add("phone", c)
	}
	if code == "" {
		fs.Add("sms_code", "required")
	}
	password.Validate(&fs, "password", next, phone)
	if err := fs.Err(); err != nil {
		return err
	}
	key := "phone:" + s.PhoneIndex(phone)
	attempt, err := s.reserve(ctx, key)
	if err != nil {
		return err
	}
	acct, _, err := s.lookup(ctx, byPhone, s.PhoneIndex(phone))
	if err == nil && acct.id == "" {
		return apperr.Field("sms_code", "wrong_code")
	}
	if err == nil {
		err = s.UseCode(ctx, phone, PurposeReset, code)
	}
	if apperr.Is(err, apperr.Validation) {
		return err // the reservation stays: it is a failure
	}
	if err != nil {
		s.release(ctx, attempt)
		return err
	}
	hash, err := s.Passwords.Hash(ctx, next)
	if err != nil {
		s.release(ctx, attempt)
		return err
	}
	actx := access.With(ctx, &access.Principal{UserID: acct.id, Username: acct.username})
	return s.DB.Tx(actx, func(tx *db.Tx) error {
		if err := forgive(actx, tx, attempt, key); err != nil {
			return err
		}
		if err := SetHash(actx, tx, acct.id, hash, ""); err != nil {
			return err
		}
		return audit.Record(actx, tx, audit.Event{ZoneID: acct.zoneID, Entity: "user", EntityID: acct.id, Action: "reset_password",
			Summary: map[string]any{"phone": ident.MaskMobile(phone), "by": "sms_code"}})
	})
}
