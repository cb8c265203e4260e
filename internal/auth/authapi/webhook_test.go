package authapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"tongxin/internal/client"
	"tongxin/internal/config"
	"tongxin/internal/testenv"
)

// With TONGXIN_SMS_SENDER=webhook each code is posted as JSON to the
// configured URL with the bearer token; a gateway failing is 503 and
// nothing leaks into the answer.
func TestWebhookSMSSender(t *testing.T) {
	var (
		mu    sync.Mutex
		got   []map[string]any
		auths []string
		fail  bool
	)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		var m map[string]any
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		got = append(got, m)
		auths = append(auths, r.Header.Get("Authorization"))
		if fail {
			http.Error(w, "gateway down", http.StatusBadGateway)
		}
	}))
	defer hook.Close()
	testenv.Each(t, func(t *testing.T, dsn string) {
		mu.Lock()
		got, auths, fail = nil, nil, false
		mu.Unlock()
		srv := testenv.StartWith(t, dsn, nil, func(c *config.Config) {
			c.SMSSender, c.SMSWebhookURL, c.SMSWebhookToken = "webhook", hook.URL, "hook-secret"
		})
		admin := srv.Admin()
		p, err := admin.CreatePerson(ctx, map[string]any{"name": "林晓", "phone": "13912345678"})
		if err != nil {
			t.Fatal(err)
		}
		inv, err := admin.Invite(ctx, p.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		_, token, _ := strings.Cut(inv.URL, "/m/invite/")
		if err := srv.Client().InvitationCode(ctx, token, "15811112222"); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		if len(got) != 1 || got[0]["phone"] != "15811112222" || got[0]["purpose"] != "invite" || len(got[0]["code"].(string)) != 6 ||
			got[0]["ttl_seconds"] != float64(300) || auths[0] != "Bearer hook-secret" {
			t.Fatalf("webhook got %v %v", got, auths)
		}
		fail = true
		mu.Unlock()
		err = srv.Client().InvitationCode(ctx, token, "15833334444")
		testenv.WantStatus(t, err, 503)
		if p := testenv.Problem(err); p.Detail == "" || client.StatusOf(err) != 503 {
			t.Fatalf("problem %+v", p)
		}
	})
}
