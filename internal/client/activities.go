package client

import (
	"context"
	"net/url"
	"time"
)

// ActivityLocation is where an activity takes place.
type ActivityLocation struct {
	Name string   `json:"name"`
	Lat  *float64 `json:"lat"`
	Lng  *float64 `json:"lng"`
}

// ActivityPost is a post (岗位) of an activity.
type ActivityPost struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Capacity   int    `json:"capacity"`
	Registered int    `json:"registered"`
	Waitlisted int    `json:"waitlisted"`
}

// Activity is an activity as the API shows it.
type Activity struct {
	ID             string           `json:"id"`
	ZoneID         string           `json:"zone_id"`
	CampaignID     *string          `json:"campaign_id"`
	Title          string           `json:"title"`
	Description    string           `json:"description"`
	Kind           string           `json:"kind"`
	Function       string           `json:"function"`
	Level          string           `json:"level"`
	ParkID         *string          `json:"park_id"`
	OrganizerID    string           `json:"organizer_id"`
	OrganizerKind  string           `json:"organizer_kind"`
	OrganizerName  string           `json:"organizer_name"`
	StartsAt       time.Time        `json:"starts_at"`
	EndsAt         time.Time        `json:"ends_at"`
	Location       ActivityLocation `json:"location"`
	GeofenceM      *int             `json:"geofence_m"`
	Capacity       int              `json:"capacity"`
	CreditHours    float64          `json:"credit_hours"`
	CheckinMode    string           `json:"checkin_mode"`
	SignupClosesAt time.Time        `json:"signup_closes_at"`
	CancelClosesAt time.Time        `json:"cancel_closes_at"`
	Posts          []ActivityPost   `json:"posts"`
	Status         string           `json:"status"`
	Registered     int              `json:"registered"`
	Waitlisted     int              `json:"waitlisted"`
	Version        int              `json:"version"`
	CreatedAt      time.Time        `json:"created_at"`
	UpdatedAt      time.Time        `json:"updated_at"`
}

// Signup is a sign-up with its attendance and hours.
type Signup struct {
	ID           string     `json:"id"`
	ActivityID   string     `json:"activity_id"`
	PersonID     string     `json:"person_id"`
	PersonName   string     `json:"person_name"`
	PostID       *string    `json:"post_id"`
	Status       string     `json:"status"`
	Position     *int       `json:"position"`
	WalkUp       bool       `json:"walk_up"`
	CheckedInAt  *time.Time `json:"checked_in_at"`
	CheckedOutAt *time.Time `json:"checked_out_at"`
	Hours        *float64   `json:"hours"`
	Manual       bool       `json:"manual"`
	CreatedAt    time.Time  `json:"created_at"`
}

// MySignup is one of the caller's sign-ups with its activity.
type MySignup struct {
	Signup
	Activity Activity `json:"activity"`
}

// CheckinCode is a minted check-in code.
type CheckinCode struct {
	Code       string    `json:"code"`
	ExpiresAt  time.Time `json:"expires_at"`
	QRURL      string    `json:"qr_url"`
	CheckinURL string    `json:"checkin_url"`
}

// Checkin is a recorded scan.
type Checkin struct {
	SignupID     string     `json:"signup_id"`
	ActivityID   string     `json:"activity_id"`
	PersonID     string     `json:"person_id"`
	Action       string     `json:"action"`
	CheckedInAt  *time.Time `json:"checked_in_at"`
	CheckedOutAt *time.Time `json:"checked_out_at"`
}

// Correction is an hours correction request.
type Correction struct {
	ID             string     `json:"id"`
	ActivityID     string     `json:"activity_id"`
	ActivityTitle  string     `json:"activity_title"`
	SignupID       string     `json:"signup_id"`
	PersonID       string     `json:"person_id"`
	PersonName     string     `json:"person_name"`
	RequestedHours float64    `json:"requested_hours"`
	PreviousHours  *float64   `json:"previous_hours"`
	Reason         string     `json:"reason"`
	Status         string     `json:"status"`
	DecidedBy      *string    `json:"decided_by"`
	DecidedAt      *time.Time `json:"decided_at"`
	DecisionNote   string     `json:"decision_note"`
	CreatedAt      time.Time  `json:"created_at"`
}

// HoursRecord is one credited activity of a person.
type HoursRecord struct {
	ActivityID    string  `json:"activity_id"`
	SignupID      string  `json:"signup_id"`
	Title         string  `json:"title"`
	Date          string  `json:"date"`
	Hours         float64 `json:"hours"`
	Manual        bool    `json:"manual"`
	OrganizerName string  `json:"organizer_name"`
	Certificate   string  `json:"certificate_no"`
}

// Hours is a person's volunteer-hour record.
type Hours struct {
	PersonID   string        `json:"person_id"`
	PersonName string        `json:"person_name"`
	TotalHours float64       `json:"total_hours"`
	Records    []HoursRecord `json:"records"`
}

// Campaign groups activities.
type Campaign struct {
	ID          string    `json:"id"`
	ZoneID      string    `json:"zone_id"`
	OrganizerID string    `json:"organizer_id"`
	Name        string    `json:"name"`
	Function    string    `json:"function"`
	Description string    `json:"description"`
	Activities  int       `json:"activities"`
	Version     int       `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func activityPath(id string) string { return "/api/v1/activities/" + url.PathEscape(id) }

// ListActivities lists activities with query parameters q.
func (c *Client) ListActivities(ctx context.Context, q url.Values) (List[Activity], error) {
	var out List[Activity]
	_, err := c.typed(ctx, "GET", "/api/v1/activities"+query(q), nil, &out, nil)
	return out, err
}

// CreateActivity creates a draft activity; body is sent as given.
func (c *Client) CreateActivity(ctx context.Context, body any) (Activity, error) {
	var out Activity
	_, err := c.typed(ctx, "POST", "/api/v1/activities", body, &out, nil)
	return out, err
}

// GetActivity reads an activity.
func (c *Client) GetActivity(ctx context.Context, id string) (Activity, error) {
	var out Activity
	_, err := c.typed(ctx, "GET", activityPath(id), nil, &out, nil)
	return out, err
}

// UpdateActivity patches an activity; version, when not 0, is sent as If-Match.
func (c *Client) UpdateActivity(ctx context.Context, id string, patch any, version int) (Activity, error) {
	var out Activity
	_, err := c.typed(ctx, "PATCH", activityPath(id), patch, &out, ifMatch(version))
	return out, err
}

// DeleteActivity deletes a draft.
func (c *Client) DeleteActivity(ctx context.Context, id string, version int) error {
	_, err := c.typed(ctx, "DELETE", activityPath(id), nil, nil, ifMatch(version))
	return err
}

// ActivityAction runs publish, cancel or complete.
func (c *Client) ActivityAction(ctx context.Context, id, action string) (Activity, error) {
	var out Activity
	_, err := c.typed(ctx, "POST", activityPath(id)+"/"+action, nil, &out, nil)
	return out, err
}

// SignUp signs person up (post "" for none).
func (c *Client) SignUp(ctx context.Context, activityID string, body any) (Signup, error) {
	var out Signup
	_, err := c.typed(ctx, "POST", activityPath(activityID)+"/signups", body, &out, nil)
	return out, err
}

// CancelSignup cancels a sign-up.
func (c *Client) CancelSignup(ctx context.Context, activityID, signupID string) error {
	_, err := c.typed(ctx, "DELETE", activityPath(activityID)+"/signups/"+url.PathEscape(signupID), nil, nil, nil)
	return err
}

// ListSignups lists an activity's sign-ups.
func (c *Client) ListSignups(ctx context.Context, activityID string, q url.Values) (List[Signup], error) {
	var out List[Signup]
	_, err := c.typed(ctx, "GET", activityPath(activityID)+"/signups"+query(q), nil, &out, nil)
	return out, err
}

// MintCheckinCode makes a check-in code.
func (c *Client) MintCheckinCode(ctx context.Context, activityID string, body any) (CheckinCode, error) {
	var out CheckinCode
	_, err := c.typed(ctx, "POST", activityPath(activityID)+"/checkin-codes", body, &out, nil)
	return out, err
}

// CheckIn scans a code.
func (c *Client) CheckIn(ctx context.Context, body any) (Checkin, error) {
	var out Checkin
	_, err := c.typed(ctx, "POST", "/api/v1/checkins", body, &out, nil)
	return out, err
}

// EnterHours enters a person's hours by hand.
func (c *Client) EnterHours(ctx context.Context, activityID, personID string, body any) (Signup, error) {
	var out Signup
	_, err := c.typed(ctx, "PUT", activityPath(activityID)+"/hours/"+url.PathEscape(personID), body, &out, nil)
	return out, err
}

// RequestCorrection files an hours correction.
func (c *Client) RequestCorrection(ctx context.Context, activityID string, body any) (Correction, error) {
	var out Correction
	_, err := c.typed(ctx, "POST", activityPath(activityID)+"/corrections", body, &out, nil)
	return out, err
}

// DecideCorrection approves or rejects a correction.
func (c *Client) DecideCorrection(ctx context.Context, activityID, id string, body any) (Correction, error) {
	var out Correction
	_, err := c.typed(ctx, "POST", activityPath(activityID)+"/corrections/"+url.PathEscape(id)+"/decision", body, &out, nil)
	return out, err
}

// ListCorrections lists the corrections queue.
func (c *Client) ListCorrections(ctx context.Context, q url.Values) (List[Correction], error) {
	var out List[Correction]
	_, err := c.typed(ctx, "GET", "/api/v1/activity-corrections"+query(q), nil, &out, nil)
	return out, err
}

// PersonHours reads a person's hours.
func (c *Client) PersonHours(ctx context.Context, personID string) (Hours, error) {
	var out Hours
	_, err := c.typed(ctx, "GET", "/api/v1/people/"+url.PathEscape(personID)+"/hours", nil, &out, nil)
	return out, err
}

// OpenActivities lists the activities open to the caller's person.
func (c *Client) OpenActivities(ctx context.Context, q url.Values) (List[Activity], error) {
	var out List[Activity]
	_, err := c.typed(ctx, "GET", "/api/v1/me/activities"+query(q), nil, &out, nil)
	return out, err
}

// MySignups lists the caller's sign-ups.
func (c *Client) MySignups(ctx context.Context) ([]MySignup, error) {
	var out struct {
		Items []MySignup `json:"items"`
	}
	_, err := c.typed(ctx, "GET", "/api/v1/me/signups", nil, &out, nil)
	return out.Items, err
}

// CreateCampaign creates a campaign.
func (c *Client) CreateCampaign(ctx context.Context, body any) (Campaign, error) {
	var out Campaign
	_, err := c.typed(ctx, "POST", "/api/v1/campaigns", body, &out, nil)
	return out, err
}
