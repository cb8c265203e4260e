package authapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"tongxin/internal/auth"
)

// WebhookSender posts each message as JSON to URL — {"phone","purpose",
// "code","ttl_seconds"} with "Authorization: Bearer <Token>" when Token is
// set — for a small relay that calls the operator's SMS gateway. Any
// answer but 2xx within 10 seconds is a failure (the request gets 503).
type WebhookSender struct {
	URL   string
	Token string
	HTTP  *http.Client
}

// Send posts msg.
func (s WebhookSender) Send(ctx context.Context, phone string, msg auth.SMS) error {
	body, err := json.Marshal(map[string]any{"phone": phone, "purpose": msg.Purpose, "code": msg.Code, "ttl_seconds": int(msg.TTL.Seconds())})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if s.Token != "" {
		req.Header.Set("Authorization", "Bearer "+s.Token)
	}
	c := s.HTTP
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("sms webhook answered %s", resp.Status)
	}
	return nil
}
