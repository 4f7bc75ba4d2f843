package promhistory

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/spillway-dev/spillway/cost/pricesource/httpfetch"
	"github.com/spillway-dev/spillway/plugins/internal/workload"
)

// Retry discipline of each query.
const (
	retryMax     = 3
	retryWaitMin = 500 * time.Millisecond
	retryWaitMax = 10 * time.Second
)

// Client queries a Prometheus server's query_range API with timeouts,
// retries with jitter on connection errors, 429 and 5xx (honouring
// Retry-After, capped at the longest wait), no redirect to another host
// (or none at all), and a size cap on responses, which are decoded as
// they arrive.
type Client struct {
	base     *url.URL
	http     *retryablehttp.Client
	maxBytes int64
}

// NewClient returns a client of the server at baseURL; each attempt times
// out after timeout, a response body over maxBytes is an error, and
// redirects are followed as redirects says (SameHost when empty).
func NewClient(baseURL string, timeout time.Duration, maxBytes int64, redirects httpfetch.Redirects) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("prometheus url: %w", err)
	}
	policy, err := httpfetch.ParseRedirects(string(redirects))
	if err != nil {
		return nil, fmt.Errorf("prometheus redirects: %w", err)
	}
	c := retryablehttp.NewClient()
	c.HTTPClient = &http.Client{Timeout: timeout, CheckRedirect: httpfetch.CheckRedirect(policy)}
	c.CheckRetry = httpfetch.RetryPolicy
	c.RetryMax = retryMax
	c.RetryWaitMin = retryWaitMin
	c.RetryWaitMax = retryWaitMax
	c.Backoff = httpfetch.Backoff(retryWaitMax)
	c.Logger = nil
	// Keep the last response so an error body can be read and reported.
	c.ErrorHandler = retryablehttp.PassthroughErrorHandler
	return &Client{base: u, http: c, maxBytes: maxBytes}, nil
}

// QueryRange runs query over [start, end] at step and returns the points,
// oldest first.
func (c *Client) QueryRange(ctx context.Context, query string, start, end time.Time, step time.Duration) ([]workload.Point, error) {
	u := c.base.JoinPath("api", "v1", "query_range")
	form := url.Values{
		"query": {query},
		"start": {formatTime(start)},
		"end":   {formatTime(end)},
		"step":  {strconv.FormatFloat(step.Seconds(), 'f', -1, 64)},
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("prometheus query_range: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("prometheus query_range %s: %w", u.Redacted(), err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.ContentLength > c.maxBytes {
		return nil, fmt.Errorf("prometheus query_range %s: %w (%d bytes, Content-Length %d)", u.Redacted(), errTooLarge, c.maxBytes, resp.ContentLength)
	}
	body := httpfetch.NewCappedReader(resp.Body, c.maxBytes)
	if resp.StatusCode != http.StatusOK {
		// An error answer is small: read it whole to tell an API error.
		data, err := io.ReadAll(io.LimitReader(body, 64<<10))
		var apiErr *APIError
		if _, perr := ParseQueryRange(data); err == nil && errors.As(perr, &apiErr) {
			return nil, fmt.Errorf("prometheus query_range %s: HTTP %d: %w", u.Redacted(), resp.StatusCode, perr)
		}
		return nil, fmt.Errorf("prometheus query_range %s: HTTP %d", u.Redacted(), resp.StatusCode)
	}
	points, err := DecodeQueryRange(body)
	// What follows the JSON, or what a parse error left unread, still
	// counts against the cap (read and dropped, never held).
	_, _ = io.Copy(io.Discard, body)
	switch {
	case body.Over():
		return nil, fmt.Errorf("prometheus query_range %s: %w (%d bytes)", u.Redacted(), errTooLarge, c.maxBytes)
	case err != nil:
		return nil, fmt.Errorf("prometheus query_range %s: %w", u.Redacted(), err)
	}
	return points, nil
}

func formatTime(t time.Time) string {
	return strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', -1, 64)
}
