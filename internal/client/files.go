package client

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
)

// Send sends body as it is with contentType (no body when nil) and returns
// the answer's bytes undecoded: for roster uploads (CSV, xlsx, multipart)
// and file downloads. A non-2xx answer is an *Error, as with Do.
func (c *Client) Send(ctx context.Context, method, path, contentType string, body []byte, hdr http.Header) (*http.Response, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, rd)
	if err != nil {
		return nil, nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if c.Lang != "" {
		req.Header.Set("Accept-Language", c.Lang)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp, nil, err
	}
	if c.Check != nil {
		c.Check(req, resp, b)
	}
	if resp.StatusCode >= 300 {
		e := &Error{Status: resp.StatusCode, Header: resp.Header}
		json.Unmarshal(b, &e.Problem)
		return resp, b, e
	}
	return resp, b, nil
}
