package activities

import (
	"context"

	"tongxin/internal/db"
	"tongxin/internal/matrix"
)

// What an activity counts on the 3.14π matrix (matrix_facts), at its
// place (the organiser's node, level and park), for its function, on the
// day (China time) it starts:
//
//   - activities: 1 while the activity is published or completed — +1 when
//     it is published, −1 when a published activity is cancelled. Drafts
//     and cancelled activities count 0.
//   - participants: the number of its sign-ups credited with hours
//     (credited_minutes not NULL and above 0) — at completion, by a manual
//     entry, or by an approved correction; −1 when a correction takes a
//     person's hours back to 0.
//   - volunteer_minutes: the sum of the credited minutes (credited hours
//     × 60), moved by completion, manual entries and approved corrections.
//
// Every change that moves one of these adds the difference (after −
// before) in its own transaction; a PATCH that changes the function, the
// organiser or the start day of a counted activity takes its figures off
// the old cell and adds them to the new one.

func counted(status string) bool { return status == "published" || status == "completed" }

// credits are the participants and minutes credited on a's sign-ups now.
func credits(ctx context.Context, q db.Querier, id string) (matrix.Figures, error) {
	var f matrix.Figures
	err := q.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(credited_minutes), 0) FROM activity_signups
		WHERE activity_id = $1 AND credited_minutes > 0`, id).Scan(&f.Participants, &f.VolunteerMinutes)
	return f, err
}

func negate(f matrix.Figures) matrix.Figures {
	return matrix.Figures{Activities: -f.Activities, Participants: -f.Participants, VolunteerMinutes: -f.VolunteerMinutes}
}

// move adds to the matrix what a change of the activity row from old to a
// moves: the activity's own count when its status starts or stops
// counting, and all its figures when its cell (place, function or day)
// changes. Credits already counted by addCredit in the same transaction
// are part of both sides, so they move only with the cell or the status.
func move(ctx context.Context, tx *db.Tx, old, a Activity) error {
	c, err := credits(ctx, tx, a.ID)
	if err != nil {
		return err
	}
	var before, after matrix.Figures
	if counted(old.Status) {
		before = matrix.Figures{Activities: 1, Participants: c.Participants, VolunteerMinutes: c.VolunteerMinutes}
	}
	if counted(a.Status) {
		after = matrix.Figures{Activities: 1, Participants: c.Participants, VolunteerMinutes: c.VolunteerMinutes}
	}
	if old.place() == a.place() && old.Function == a.Function && matrix.Day(old.StartsAt) == matrix.Day(a.StartsAt) {
		return add(ctx, tx, a, diff(after, before))
	}
	if err := add(ctx, tx, old, negate(before)); err != nil {
		return err
	}
	return add(ctx, tx, a, after)
}

func diff(a, b matrix.Figures) matrix.Figures {
	return matrix.Figures{Activities: a.Activities - b.Activities, Participants: a.Participants - b.Participants,
		VolunteerMinutes: a.VolunteerMinutes - b.VolunteerMinutes}
}

func add(ctx context.Context, tx *db.Tx, a Activity, f matrix.Figures) error {
	return matrix.Add(ctx, tx, matrix.Fact{Place: a.place(), Function: a.Function, At: a.StartsAt, Figures: f})
}

// addCredit counts a change of one sign-up's credited minutes from before
// to after (NULL as 0).
func addCredit(ctx context.Context, tx *db.Tx, a Activity, before, after int64) error {
	f := matrix.Figures{VolunteerMinutes: after - before}
	if before <= 0 && after > 0 {
		f.Participants = 1
	} else if before > 0 && after <= 0 {
		f.Participants = -1
	}
	return add(ctx, tx, a, f)
}

func matrixFigures(participants, minutes int64) matrix.Figures {
	return matrix.Figures{Participants: participants, VolunteerMinutes: minutes}
}
