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
// Retry-After, capped at the longest wait) and a size cap on responses.
type Client struct {
	base     *url.URL
	http     *retryablehttp.Client
	maxBytes int64
}

// NewClient returns a client of the server at baseURL; each attempt times
// out after timeout and a response body over maxBytes is an error.
func NewClient(baseURL string, timeout time.Duration, maxBytes int64) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("prometheus url: %w", err)
	}
	c := retryablehttp.NewClient()
	c.HTTPClient = &http.Client{Timeout: timeout}
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
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("prometheus query_range %s: reading the response: %w", u.Redacted(), err)
	}
	if int64(len(body)) > c.maxBytes {
		return nil, fmt.Errorf("prometheus query_range %s: %w (%d bytes)", u.Redacted(), errTooLarge, c.maxBytes)
	}
	points, err := ParseQueryRange(body)
	var apiErr *APIError
	switch {
	case errors.As(err, &apiErr):
		return nil, fmt.Errorf("prometheus query_range %s: HTTP %d: %w", u.Redacted(), resp.StatusCode, err)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("prometheus query_range %s: HTTP %d", u.Redacted(), resp.StatusCode)
	case err != nil:
		return nil, fmt.Errorf("prometheus query_range %s: %w", u.Redacted(), err)
	}
	return points, nil
}

func formatTime(t time.Time) string {
	return strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', -1, 64)
}
