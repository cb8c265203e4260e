package people

import (
	"context"

	"tongxin/internal/db"
	"tongxin/internal/secret"
)

// Rekey seals every person's phone and ID number anew with the current key
// and recomputes their blind indexes, a batch of rows per transaction, so
// that after a rotation (TONGXIN_SECRET_KEY replaced, the old one in
// TONGXIN_SECRET_KEY_PREVIOUS) the old key can be dropped and exact lookup
// finds every row again. It is safe to run twice and to interrupt: a row
// already sealed with the current key is left alone. Returns the number of
// rows rewritten.
func Rekey(ctx context.Context, d *db.DB, keys *secret.Keys) (int, error) {
	const batch = 500
	total := 0
	after := ""
	for {
		type row struct{ id, phone, idNumber string }
		var rows []row
		next := ""
		err := d.Tx(ctx, func(tx *db.Tx) error { // may run again on a transient conflict: it reads only after
			rows, next = rows[:0], ""
			rs, err := tx.QueryContext(ctx, `SELECT id, phone_sealed, id_sealed FROM people WHERE id > $1 ORDER BY id LIMIT $2`, after, batch)
			if err != nil {
				return err
			}
			var all []row
			for rs.Next() {
				var r row
				if err := rs.Scan(&r.id, &r.phone, &r.idNumber); err != nil {
					rs.Close()
					return err
				}
				all = append(all, r)
			}
			rs.Close()
			if err := rs.Err(); err != nil {
				return err
			}
			if len(all) == batch {
				next = all[len(all)-1].id
			}
			for _, r := range all {
				if sealedNow(keys, r.phone) && sealedNow(keys, r.idNumber) {
					continue
				}
				phone, err := keys.Open(r.phone)
				if err != nil {
					return err
				}
				idn, err := keys.Open(r.idNumber)
				if err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `UPDATE people SET phone_sealed = $1, phone_index = $2, id_sealed = $3, id_index = $4 WHERE id = $5`,
					keys.Seal(phone), rekeyIndex(keys, "phone", phone), keys.Seal(idn), rekeyIndex(keys, "id_number", idn), r.id); err != nil {
					return err
				}
				rows = append(rows, r)
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += len(rows)
		if next == "" {
			return total, nil
		}
		after = next
	}
}

// sealedNow reports whether a sealed value (or none) needs no rekeying.
func sealedNow(keys *secret.Keys, sealed string) bool {
	return sealed == "" || secret.Sealed(sealed) == keys.KeyID()
}

// rekeyIndex is the blind index of a value, NULL when there is none.
func rekeyIndex(keys *secret.Keys, purpose, v string) any {
	if v == "" {
		return nil
	}
	return keys.Index(purpose, v)
}
