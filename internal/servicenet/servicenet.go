package servicenet

import (
	"embed"
	"io/fs"
	"math"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/db"
	"tongxin/internal/i18n"
	"tongxin/internal/secret"
)

// Permissions of this domain.
var (
	// PointRead lets a caller see service points: every role, within its
	// grants (service_staff granted on a point see that point).
	PointRead = access.NewPerm("service_point.read", access.Everyone()...)
	// PointManage lets a caller create, change and delete service points:
	// zone administrators, and park administrators in their park.
	PointManage = access.NewPerm("service_point.manage", access.ZoneAdmin, access.ParkAdmin)
	// CatalogueManage lets zone administrators edit their zone's service
	// catalogue. Every signed-in caller reads it (it is public over Open311).
	CatalogueManage = access.NewPerm("service.manage", access.ZoneAdmin)
	// RequestRead lets a caller see the requests routed to points in their
	// scope: the staff who work them, and auditors.
	RequestRead = access.NewPerm("service_request.read", access.ZoneAdmin, access.ParkAdmin, access.ServiceStaff, access.Auditor)
	// RequestFile lets a caller file a request to a point of a park their
	// grants reach (a grant on the park, or on a node inside it such as the
	// worker's enterprise). Auditors only read.
	RequestFile = access.NewPerm("service_request.file", access.ZoneAdmin, access.ParkAdmin, access.ServiceStaff,
		access.OrgSecretary, access.Mediator, access.Partner, access.Member)
	// RequestWork lets a caller act on requests (accept, assign, start,
	// resolve, reject, close) at points in their scope, and reads the
	// escalations of their parks.
	RequestWork = access.NewPerm("service_request.work", access.ZoneAdmin, access.ParkAdmin, access.ServiceStaff)
	// KeyManage lets zone administrators issue and revoke the API keys
	// Open311 clients post with.
	KeyManage = access.NewPerm("api_key.manage", access.ZoneAdmin)
)

//go:embed locales/*.json
var locales embed.FS

// Locales holds this domain's messages.
func Locales() fs.FS { return i18n.Dir(locales) }

// Service holds the service network's operations. Photos live under
// PhotoDir (one file per photo, named by its id); MaxPhoto bounds one.
type Service struct {
	DB       *db.DB
	Keys     *secret.Keys
	PhotoDir string
	MaxPhoto int64
}

// Limits of the inputs.
const (
	MaxServices    = 100 // services one point offers
	MaxDescription = 2000
	MaxNote        = 500
	MaxPhotos      = 6 // photos on one request
)

// distance is the great-circle distance in metres between two points
// (haversine on a sphere of the Earth's mean radius: at a zone's scale the
// error is far below what routing needs).
func distance(aLat, aLng, bLat, bLng float64) float64 {
	const r = 6371008.8
	rad := math.Pi / 180
	dLat, dLng := (bLat-aLat)*rad, (bLng-aLng)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(aLat*rad)*math.Cos(bLat*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(h)))
}

// hours is n hours as a duration.
func hours(n int) time.Duration { return time.Duration(n) * time.Hour }
