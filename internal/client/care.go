package client

import (
	"context"
	"net/url"
	"time"
)

// Mentorship is a mentoring pair.
type Mentorship struct {
	ID           string  `json:"id"`
	ZoneID       string  `json:"zone_id"`
	EnterpriseID string  `json:"enterprise_id"`
	OrgID        *string `json:"org_id"`
	MentorID     string  `json:"mentor_id"`
	MentorName   string  `json:"mentor_name"`
	MenteeID     string  `json:"mentee_id"`
	MenteeName   string  `json:"mentee_name"`
	Goals        string  `json:"goals"`
	StartedOn    string  `json:"started_on"`
	EndedOn      *string `json:"ended_on"`
	Status       string  `json:"status"`
	Function     string  `json:"function"`
	Reviews      []struct {
		ID         string `json:"id"`
		ReviewedOn string `json:"reviewed_on"`
		Rating     int    `json:"rating"`
		Note       string `json:"note"`
	} `json:"reviews"`
	Version   int       `json:"version"`
	Sample    bool      `json:"sample"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ProjectTeam is a 科技攻关小组 or 项目攻坚小组.
type ProjectTeam struct {
	ID           string `json:"id"`
	EnterpriseID string `json:"enterprise_id"`
	Kind         string `json:"kind"`
	Name         string `json:"name"`
	Goals        string `json:"goals"`
	Status       string `json:"status"`
	Members      []struct {
		PersonID string `json:"person_id"`
		Name     string `json:"name"`
		Role     string `json:"role"`
	} `json:"members"`
	Milestones []struct {
		ID     string  `json:"id"`
		Title  string  `json:"title"`
		DueOn  *string `json:"due_on"`
		DoneOn *string `json:"done_on"`
	} `json:"milestones"`
	Results []struct {
		ID         string  `json:"id"`
		Title      string  `json:"title"`
		RecordedOn *string `json:"recorded_on"`
	} `json:"results"`
	Version   int       `json:"version"`
	ZoneID    string    `json:"zone_id"`
	OrgID     *string   `json:"org_id"`
	Function  string    `json:"function"`
	Sample    bool      `json:"sample"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// RDProfile is an enterprise's R&D figures.
type RDProfile struct {
	EnterpriseID      string     `json:"enterprise_id"`
	EnterpriseName    string     `json:"enterprise_name"`
	RDStaff           int        `json:"rd_staff"`
	ResearchProjects  int        `json:"research_projects"`
	PostdocStation    bool       `json:"postdoc_station"`
	PostdocApprovedOn *string    `json:"postdoc_approved_on"`
	Mentorships       int        `json:"mentorships"`
	Teams             int        `json:"teams"`
	Version           int        `json:"version"`
	ZoneID            string     `json:"zone_id"`
	Note              string     `json:"note"`
	UpdatedAt         *time.Time `json:"updated_at"`
}

// AidFund is a mutual-aid fund.
type AidFund struct {
	ID             string    `json:"id"`
	ZoneID         string    `json:"zone_id"`
	EnterpriseID   string    `json:"enterprise_id"`
	Name           string    `json:"name"`
	BalanceFen     int64     `json:"balance_fen"`
	ContributedFen int64     `json:"contributed_fen"`
	DisbursedFen   int64     `json:"disbursed_fen"`
	Version        int       `json:"version"`
	EnterpriseName string    `json:"enterprise_name"`
	OrgID          *string   `json:"org_id"`
	Description    string    `json:"description"`
	Sample         bool      `json:"sample"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// AidEntry is one booking of a fund's ledger.
type AidEntry struct {
	ID            string    `json:"id"`
	Kind          string    `json:"kind"`
	PersonID      *string   `json:"person_id"`
	ApplicationID *string   `json:"application_id"`
	AmountFen     int64     `json:"amount_fen"`
	BookedOn      string    `json:"booked_on"`
	BalanceFen    int64     `json:"balance_fen"`
	FundID        string    `json:"fund_id"`
	PersonName    string    `json:"person_name"`
	Memo          string    `json:"memo"`
	CreatedAt     time.Time `json:"created_at"`
}

// AidStatement is a fund's statement.
type AidStatement struct {
	Fund           AidFund    `json:"fund"`
	OpeningFen     int64      `json:"opening_fen"`
	ContributedFen int64      `json:"contributed_fen"`
	DisbursedFen   int64      `json:"disbursed_fen"`
	ClosingFen     int64      `json:"closing_fen"`
	Balanced       bool       `json:"balanced"`
	Entries        []AidEntry `json:"entries"`
	PersonID       *string    `json:"person_id"`
	From           *string    `json:"from"`
	To             *string    `json:"to"`
}

// AidApplication is an application for aid.
type AidApplication struct {
	ID           string     `json:"id"`
	FundID       string     `json:"fund_id"`
	PersonID     string     `json:"person_id"`
	AmountFen    int64      `json:"amount_fen"`
	Status       string     `json:"status"`
	FirstBy      *string    `json:"first_approved_by"`
	SecondBy     *string    `json:"second_approved_by"`
	DisbursedAt  *time.Time `json:"disbursed_at"`
	Version      int        `json:"version"`
	ZoneID       string     `json:"zone_id"`
	FundName     string     `json:"fund_name"`
	EnterpriseID string     `json:"enterprise_id"`
	OrgID        *string    `json:"org_id"`
	PersonName   string     `json:"person_name"`
	Reason       string     `json:"reason"`
	IncidentOn   *string    `json:"incident_on"`
	FirstAt      *time.Time `json:"first_approved_at"`
	SecondAt     *time.Time `json:"second_approved_at"`
	Note         string     `json:"note"`
	Sample       bool       `json:"sample"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// ChildcareClass is a 暑托班.
type ChildcareClass struct {
	ID           string `json:"id"`
	EnterpriseID string `json:"enterprise_id"`
	Title        string `json:"title"`
	Capacity     int    `json:"capacity"`
	Status       string `json:"status"`
	Registered   int    `json:"registered"`
	Waitlisted   int    `json:"waitlisted"`
	Sessions     []struct {
		ID       string `json:"id"`
		HeldOn   string `json:"held_on"`
		Topic    string `json:"topic"`
		Attended int    `json:"attended"`
	} `json:"sessions"`
	Version        int       `json:"version"`
	ZoneID         string    `json:"zone_id"`
	EnterpriseName string    `json:"enterprise_name"`
	OrgID          *string   `json:"org_id"`
	Description    string    `json:"description"`
	Place          string    `json:"place"`
	StartsOn       string    `json:"starts_on"`
	EndsOn         string    `json:"ends_on"`
	MinAge         int       `json:"min_age"`
	MaxAge         int       `json:"max_age"`
	Function       string    `json:"function"`
	Sample         bool      `json:"sample"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Enrolment is a child in a class.
type Enrolment struct {
	ID         string    `json:"id"`
	PersonID   string    `json:"person_id"`
	ChildName  string    `json:"child_name"`
	Status     string    `json:"status"`
	Position   *int      `json:"position"`
	Attended   []string  `json:"attended_session_ids"`
	ClassID    string    `json:"class_id"`
	PersonName string    `json:"person_name"`
	ChildAge   int       `json:"child_age"`
	CreatedAt  time.Time `json:"created_at"`
}

// MyChildcareClass is a class with the caller's children's enrolments.
type MyChildcareClass struct {
	ChildcareClass
	Enrolments []Enrolment `json:"enrolments"`
}

// Items is a plain list answer.
type Items[T any] struct {
	Items []T `json:"items"`
}

func esc(id string) string { return url.PathEscape(id) }

// CreateMentorship pairs a mentor with a mentee.
func (c *Client) CreateMentorship(ctx context.Context, body any) (Mentorship, error) {
	return send[Mentorship](c, ctx, "POST", "/api/v1/mentorships", body, 0)
}

// ListMentorships lists pairs.
func (c *Client) ListMentorships(ctx context.Context, q url.Values) (List[Mentorship], error) {
	return list[Mentorship](c, ctx, "/api/v1/mentorships", q)
}

// ReviewMentorship adds a review.
func (c *Client) ReviewMentorship(ctx context.Context, id string, body any) (Mentorship, error) {
	return send[Mentorship](c, ctx, "POST", "/api/v1/mentorships/"+esc(id)+"/reviews", body, 0)
}

// UpdateMentorship patches a pair.
func (c *Client) UpdateMentorship(ctx context.Context, id string, patch any, version int) (Mentorship, error) {
	return send[Mentorship](c, ctx, "PATCH", "/api/v1/mentorships/"+esc(id), patch, version)
}

// CreateProjectTeam sets up a team.
func (c *Client) CreateProjectTeam(ctx context.Context, body any) (ProjectTeam, error) {
	return send[ProjectTeam](c, ctx, "POST", "/api/v1/project-teams", body, 0)
}

// UpdateProjectTeam patches a team.
func (c *Client) UpdateProjectTeam(ctx context.Context, id string, patch any, version int) (ProjectTeam, error) {
	return send[ProjectTeam](c, ctx, "PATCH", "/api/v1/project-teams/"+esc(id), patch, version)
}

// ListProjectTeams lists teams.
func (c *Client) ListProjectTeams(ctx context.Context, q url.Values) (List[ProjectTeam], error) {
	return list[ProjectTeam](c, ctx, "/api/v1/project-teams", q)
}

// GetRDProfile reads an enterprise's R&D figures.
func (c *Client) GetRDProfile(ctx context.Context, enterpriseID string) (RDProfile, error) {
	return get[RDProfile](c, ctx, "/api/v1/rd-profiles/"+esc(enterpriseID))
}

// UpdateRDProfile sets an enterprise's R&D figures.
func (c *Client) UpdateRDProfile(ctx context.Context, enterpriseID string, patch any) (RDProfile, error) {
	return send[RDProfile](c, ctx, "PATCH", "/api/v1/rd-profiles/"+esc(enterpriseID), patch, 0)
}

// ListRDProfiles lists enterprises' R&D figures.
func (c *Client) ListRDProfiles(ctx context.Context, q url.Values) (List[RDProfile], error) {
	return list[RDProfile](c, ctx, "/api/v1/rd-profiles", q)
}

// CreateAidFund opens a fund.
func (c *Client) CreateAidFund(ctx context.Context, body any) (AidFund, error) {
	return send[AidFund](c, ctx, "POST", "/api/v1/aid-funds", body, 0)
}

// GetAidFund reads a fund.
func (c *Client) GetAidFund(ctx context.Context, id string) (AidFund, error) {
	return get[AidFund](c, ctx, "/api/v1/aid-funds/"+esc(id))
}

// ListAidFunds lists funds.
func (c *Client) ListAidFunds(ctx context.Context, q url.Values) (List[AidFund], error) {
	return list[AidFund](c, ctx, "/api/v1/aid-funds", q)
}

// Contribute books a contribution.
func (c *Client) Contribute(ctx context.Context, fundID string, body any) (AidEntry, error) {
	return send[AidEntry](c, ctx, "POST", "/api/v1/aid-funds/"+esc(fundID)+"/contributions", body, 0)
}

// AidStatement reads a fund's statement.
func (c *Client) AidStatement(ctx context.Context, fundID string, q url.Values) (AidStatement, error) {
	return get[AidStatement](c, ctx, "/api/v1/aid-funds/"+esc(fundID)+"/statement"+query(q))
}

// ApplyForAid files an application for a worker.
func (c *Client) ApplyForAid(ctx context.Context, body any) (AidApplication, error) {
	return send[AidApplication](c, ctx, "POST", "/api/v1/aid-applications", body, 0)
}

// ApplyForAidAsSelf files the caller's own application.
func (c *Client) ApplyForAidAsSelf(ctx context.Context, body any) (AidApplication, error) {
	return send[AidApplication](c, ctx, "POST", "/api/v1/me/aid-applications", body, 0)
}

// MyAidApplications lists the caller's applications.
func (c *Client) MyAidApplications(ctx context.Context) (Items[AidApplication], error) {
	return get[Items[AidApplication]](c, ctx, "/api/v1/me/aid-applications")
}

// MyAidFunds lists the funds the caller may apply to.
func (c *Client) MyAidFunds(ctx context.Context) (Items[AidFund], error) {
	return get[Items[AidFund]](c, ctx, "/api/v1/me/aid-funds")
}

// GetAidApplication reads an application.
func (c *Client) GetAidApplication(ctx context.Context, id string) (AidApplication, error) {
	return get[AidApplication](c, ctx, "/api/v1/aid-applications/"+esc(id))
}

// ListAidApplications lists applications.
func (c *Client) ListAidApplications(ctx context.Context, q url.Values) (List[AidApplication], error) {
	return list[AidApplication](c, ctx, "/api/v1/aid-applications", q)
}

// ActOnAidApplication approves, rejects or disburses.
func (c *Client) ActOnAidApplication(ctx context.Context, id, action string) (AidApplication, error) {
	return send[AidApplication](c, ctx, "POST", "/api/v1/aid-applications/"+esc(id)+"/actions", map[string]string{"action": action}, 0)
}

// CreateChildcareClass opens a class.
func (c *Client) CreateChildcareClass(ctx context.Context, body any) (ChildcareClass, error) {
	return send[ChildcareClass](c, ctx, "POST", "/api/v1/childcare-classes", body, 0)
}

// GetChildcareClass reads a class.
func (c *Client) GetChildcareClass(ctx context.Context, id string) (ChildcareClass, error) {
	return get[ChildcareClass](c, ctx, "/api/v1/childcare-classes/"+esc(id))
}

// UpdateChildcareClass patches a class.
func (c *Client) UpdateChildcareClass(ctx context.Context, id string, patch any, version int) (ChildcareClass, error) {
	return send[ChildcareClass](c, ctx, "PATCH", "/api/v1/childcare-classes/"+esc(id), patch, version)
}

// ActOnChildcareClass closes, reopens or cancels a class.
func (c *Client) ActOnChildcareClass(ctx context.Context, id, action string) (ChildcareClass, error) {
	return send[ChildcareClass](c, ctx, "POST", "/api/v1/childcare-classes/"+esc(id)+"/actions", map[string]string{"action": action}, 0)
}

// EnrolChild enrols a worker's child.
func (c *Client) EnrolChild(ctx context.Context, classID string, body any) (Enrolment, error) {
	return send[Enrolment](c, ctx, "POST", "/api/v1/childcare-classes/"+esc(classID)+"/enrolments", body, 0)
}

// EnrolMyChild enrols the caller's child.
func (c *Client) EnrolMyChild(ctx context.Context, classID string, body any) (Enrolment, error) {
	return send[Enrolment](c, ctx, "POST", "/api/v1/me/childcare-classes/"+esc(classID)+"/enrolments", body, 0)
}

// WithdrawChild withdraws an enrolment.
func (c *Client) WithdrawChild(ctx context.Context, classID, enrolmentID string) error {
	return del(c, ctx, "/api/v1/childcare-classes/"+esc(classID)+"/enrolments/"+esc(enrolmentID), 0)
}

// WithdrawMyChild withdraws the caller's child.
func (c *Client) WithdrawMyChild(ctx context.Context, classID, enrolmentID string) error {
	return del(c, ctx, "/api/v1/me/childcare-classes/"+esc(classID)+"/enrolments/"+esc(enrolmentID), 0)
}

// ListEnrolments lists a class's enrolments.
func (c *Client) ListEnrolments(ctx context.Context, classID string, q url.Values) (List[Enrolment], error) {
	return list[Enrolment](c, ctx, "/api/v1/childcare-classes/"+esc(classID)+"/enrolments", q)
}

// MarkChildcareAttendance marks a session's attendance.
func (c *Client) MarkChildcareAttendance(ctx context.Context, classID string, body any) (ChildcareClass, error) {
	return send[ChildcareClass](c, ctx, "POST", "/api/v1/childcare-classes/"+esc(classID)+"/attendance", body, 0)
}

// MyChildcareClasses lists the classes for the caller's children.
func (c *Client) MyChildcareClasses(ctx context.Context) (Items[MyChildcareClass], error) {
	return get[Items[MyChildcareClass]](c, ctx, "/api/v1/me/childcare-classes")
}

// PersonalAidStatement is a worker's own contributions and aid.
type PersonalAidStatement struct {
	ContributedFen int64      `json:"contributed_fen"`
	ReceivedFen    int64      `json:"received_fen"`
	Entries        []AidEntry `json:"entries"`
}

// MyAidStatement reads the caller's own statement.
func (c *Client) MyAidStatement(ctx context.Context) (PersonalAidStatement, error) {
	return get[PersonalAidStatement](c, ctx, "/api/v1/me/aid-statement")
}
