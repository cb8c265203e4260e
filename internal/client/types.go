package client

import "time"

// The client's wire types: what the API sends, written from the OpenAPI
// document, not borrowed from the server's structs. Answers are decoded
// strictly: a field the type does not know fails the call.

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Detail string       `json:"detail"`
	Errors []FieldError `json:"errors"`
}

// FieldError is one entry of Problem.Errors.
type FieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// List is a page of T.
type List[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
	Total      int     `json:"total"`
}

// Grant is one role on one scope node.
type Grant struct {
	ID      string `json:"id"`
	Role    string `json:"role"`
	ScopeID string `json:"scope_id"`
}

// UserBrief is the signed-in user in login and session answers.
type UserBrief struct {
	ID          string  `json:"id"`
	Username    string  `json:"username"`
	DisplayName string  `json:"display_name"`
	Grants      []Grant `json:"grants"`
}

// LoginResponse is the answer of POST /api/v1/auth/login.
type LoginResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	User      UserBrief `json:"user"`
}

// Permission is what the caller may do on one scope node.
type Permission struct {
	ScopeID   string   `json:"scope_id"`
	ScopeKind string   `json:"scope_kind"`
	Perms     []string `json:"perms"`
}

// Session is the answer of GET /api/v1/auth/session.
type Session struct {
	User        UserBrief    `json:"user"`
	PersonID    *string      `json:"person_id"`
	Self        *SelfRole    `json:"self"`
	CSRFToken   string       `json:"csrf_token"`
	ExpiresAt   time.Time    `json:"expires_at"`
	AllZones    bool         `json:"all_zones"`
	Permissions []Permission `json:"permissions"`
}

// SelfRole is the role an account bound to a person holds on its own
// records.
type SelfRole struct {
	Role     string `json:"role"`
	PersonID string `json:"person_id"`
}

// Zone is a development zone.
type Zone struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Park is a sub-park of a zone.
type Park struct {
	ID        string    `json:"id"`
	ZoneID    string    `json:"zone_id"`
	Name      string    `json:"name"`
	Code      string    `json:"code"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// User is a user and their grants.
type User struct {
	ID          string    `json:"id"`
	ZoneID      string    `json:"zone_id"`
	Username    string    `json:"username"`
	DisplayName string    `json:"display_name"`
	PersonID    *string   `json:"person_id"`
	Grants      []Grant   `json:"grants"`
	Version     int       `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// AuditEntry is one audited event.
type AuditEntry struct {
	ID              string         `json:"id"`
	ZoneID          *string        `json:"zone_id"`
	ScopeID         *string        `json:"scope_id"`
	At              time.Time      `json:"at"`
	ActorID         *string        `json:"actor_id"`
	ActorName       string         `json:"actor_name"`
	ClientAddr      string         `json:"client_addr"`
	RequestID       string         `json:"request_id"`
	ClientRequestID string         `json:"client_request_id"`
	Entity          string         `json:"entity"`
	EntityID        string         `json:"entity_id"`
	Action          string         `json:"action"`
	Summary         map[string]any `json:"summary"`
}
