// Package httpfetch is the one way Spillway's price sources call outside
// services: GET requests through go-retryablehttp, retried with jittered
// exponential backoff (cenkalti/backoff) on connection errors, 429 and 5xx,
// honouring Retry-After; each attempt bounded by a timeout; responses
// bounded by a size cap and parsed as they arrive; no redirect to another
// host (or none at all); ETag and Last-Modified remembered so that an
// unchanged resource is not downloaded or parsed again.
package httpfetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/hashicorp/go-retryablehttp"
	"k8s.io/klog/v2"
)

// Defaults of Options.
const (
	DefaultTimeout       = 2 * time.Minute
	DefaultRetries       = 4
	DefaultRetryWaitMin  = time.Second
	DefaultRetryWaitMax  = 30 * time.Second
	DefaultMaxRetryAfter = 5 * time.Minute
	// DefaultMaxResponseBytes bounds a transfer, not memory: every
	// response is decoded as it arrives (an EC2 region's offer file is
	// about half a GB).
	DefaultMaxResponseBytes = 1 << 30
	UserAgent               = "spillway-prices/1"
)

// ErrTooLarge is wrapped by the error of a response above MaxResponseBytes.
var ErrTooLarge = errors.New("response exceeds the size cap")

// Options configure a Fetcher. Zero values take the defaults above.
type Options struct {
	// Timeout bounds each attempt, from connecting to the last byte of
	// the body.
	Timeout time.Duration
	// Retries is how many times a failed attempt is retried (negative: never).
	Retries int
	// RetryWaitMin and RetryWaitMax bound the jittered exponential wait
	// between attempts.
	RetryWaitMin, RetryWaitMax time.Duration
	// MaxRetryAfter caps a server's Retry-After.
	MaxRetryAfter time.Duration
	// MaxResponseBytes caps a response body.
	MaxResponseBytes int64
	// Redirects says which redirects are followed: SameHost (default) or
	// None. A redirect to another host is never followed.
	Redirects Redirects
	// Logger receives one line per retry (at V(2), the URL redacted);
	// default: discard.
	Logger klog.Logger
	// Transport replaces http.DefaultTransport's clone (tests).
	Transport http.RoundTripper
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Retries == 0 {
		o.Retries = DefaultRetries
	}
	if o.Retries < 0 {
		o.Retries = 0
	}
	if o.RetryWaitMin <= 0 {
		o.RetryWaitMin = DefaultRetryWaitMin
	}
	if o.RetryWaitMax <= 0 {
		o.RetryWaitMax = DefaultRetryWaitMax
	}
	if o.RetryWaitMax < o.RetryWaitMin {
		o.RetryWaitMax = o.RetryWaitMin
	}
	if o.MaxRetryAfter <= 0 {
		o.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if o.MaxResponseBytes <= 0 {
		o.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if o.Redirects == "" {
		o.Redirects = RedirectsSameHost
	}
	return o
}

// Fetcher performs GET requests with retries, a size cap and a validator
// cache. It is safe for concurrent use.
type Fetcher struct {
	opts   Options
	client *retryablehttp.Client

	mu    sync.Mutex
	cache map[string]cached
}

// cached is the last good parse of a URL and the validators it came with.
type cached struct {
	etag, lastModified string
	value              any
}

// New returns a Fetcher with the options (defaults filled in).
func New(opts Options) *Fetcher {
	opts = opts.withDefaults()
	transport := opts.Transport
	if transport == nil {
		transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	c := &retryablehttp.Client{
		HTTPClient: &http.Client{Transport: transport, Timeout: opts.Timeout, CheckRedirect: CheckRedirect(opts.Redirects)},
		// retryablehttp's own log lines would show a URL's query (a
		// mirror's token): it logs nothing, the hook logs retries redacted.
		Logger:         nil,
		RequestLogHook: retryLog(opts.Logger),
		RetryWaitMin:   opts.RetryWaitMin,
		RetryWaitMax:   opts.RetryWaitMax,
		RetryMax:       opts.Retries,
		CheckRetry:     RetryPolicy,
		Backoff:        Backoff(opts.MaxRetryAfter),
		ErrorHandler:   giveUp,
	}
	return &Fetcher{opts: opts, client: c, cache: map[string]cached{}}
}

// Options returns the fetcher's options, defaults filled in.
func (f *Fetcher) Options() Options { return f.opts }

// Fetch GETs url and parses its body with parse. When the server answers
// 304 Not Modified to the ETag or Last-Modified of the last good response,
// the last good parse is returned without parsing anything. A body above
// the size cap, a status other than 200 or 304 (after the retries), and a
// parse error are errors naming the URL.
func Fetch[T any](ctx context.Context, f *Fetcher, url string, parse func(io.Reader) (T, error)) (T, error) {
	return FetchKeyed(ctx, f, url, "", parse)
}

// FetchKeyed is Fetch for a parse that depends on more than the body (a
// filter): the last good parse is remembered under url and key, so a 304
// never returns what another filter kept.
func FetchKeyed[T any](ctx context.Context, f *Fetcher, url, key string, parse func(io.Reader) (T, error)) (T, error) {
	var zero T
	cacheKey := url + "\x00" + key
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return zero, fmt.Errorf("GET %s: %w", redact(url), err)
	}
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("Accept", "application/json")
	f.mu.Lock()
	prev, havePrev := f.cache[cacheKey]
	f.mu.Unlock()
	if havePrev {
		if prev.etag != "" {
			req.Header.Set("If-None-Match", prev.etag)
		}
		if prev.lastModified != "" {
			req.Header.Set("If-Modified-Since", prev.lastModified)
		}
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return zero, fmt.Errorf("GET %s: %w", redact(url), err)
	}
	defer func() { _ = resp.Body.Close() }()
	switch {
	case resp.StatusCode == http.StatusNotModified && havePrev:
		if v, ok := prev.value.(T); ok {
			return v, nil
		}
		return zero, fmt.Errorf("GET %s: 304 Not Modified for a value of another type", redact(url))
	case resp.StatusCode != http.StatusOK:
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
		return zero, fmt.Errorf("GET %s: HTTP %s: %q", redact(url), resp.Status, snippet)
	}
	if resp.ContentLength > f.opts.MaxResponseBytes {
		return zero, fmt.Errorf("GET %s: Content-Length %d: %w of %d bytes (maxResponseBytes)", redact(url), resp.ContentLength, ErrTooLarge, f.opts.MaxResponseBytes)
	}
	body := NewCappedReader(resp.Body, f.opts.MaxResponseBytes)
	v, err := parse(body)
	if body.Over() {
		return zero, fmt.Errorf("GET %s: %w of %d bytes (maxResponseBytes)", redact(url), ErrTooLarge, f.opts.MaxResponseBytes)
	}
	if err != nil {
		return zero, fmt.Errorf("GET %s: after %d bytes: %w", redact(url), body.BytesRead(), err)
	}
	etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if etag != "" || lm != "" {
		f.mu.Lock()
		f.cache[cacheKey] = cached{etag: etag, lastModified: lm, value: v}
		f.mu.Unlock()
	}
	return v, nil
}

// CappedReader reads at most a limit of bytes from a response body and
// records whether the body had more: past the limit, Read answers
// ErrTooLarge (one byte more tells a body of exactly the limit from a
// longer one). The price fetches and the Prometheus client share it.
type CappedReader struct {
	r    io.Reader
	left int64
	read int64
	over bool
}

// NewCappedReader reads at most limit bytes of r.
func NewCappedReader(r io.Reader, limit int64) *CappedReader {
	return &CappedReader{r: r, left: limit}
}

// Over reports whether the body went past the limit.
func (c *CappedReader) Over() bool { return c.over }

// BytesRead is how many bytes have been read.
func (c *CappedReader) BytesRead() int64 { return c.read }

// Read reads from the body, at most up to the limit.
func (c *CappedReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// One more byte tells a body of exactly the cap from a longer one.
		var one [1]byte
		if n, _ := io.ReadFull(c.r, one[:]); n > 0 {
			c.over = true
			return 0, ErrTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	c.read += int64(n)
	return n, err
}

// Backoff is the wait between retries of every outbound call: as the
// server asks (Retry-After on 429 and 5xx, at most maxRetryAfter),
// otherwise an exponentially growing interval between min and max with
// ±50% jitter (cenkalti/backoff). Clients other than a Fetcher (the
// Prometheus history source) set it as their retryablehttp.Client.Backoff.
func Backoff(maxRetryAfter time.Duration) retryablehttp.Backoff {
	return func(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
		if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500) {
			if d, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
				return min(d, maxRetryAfter)
			}
		}
		b := &backoff.ExponentialBackOff{
			InitialInterval:     minWait,
			RandomizationFactor: 0.5,
			Multiplier:          2,
			MaxInterval:         maxWait,
			Clock:               backoff.SystemClock,
		}
		b.Reset()
		d := b.NextBackOff()
		for range attempt {
			d = b.NextBackOff()
		}
		return min(d, maxWait) // the jitter may overshoot MaxInterval
	}
}

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(h string, now time.Time) (time.Duration, bool) {
	if h == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(h, 10, 64); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(s) * time.Second, true
	}
	t, err := http.ParseTime(h)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// giveUp is called when the retries are spent: it closes the last response
// and says what it was.
func giveUp(resp *http.Response, err error, attempts int) (*http.Response, error) {
	// net/http's error quotes the URL it was at (a redirect's target
	// included): redact it as every other message does.
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = redact(ue.URL)
	}
	if resp != nil {
		if err == nil {
			err = fmt.Errorf("HTTP %s", resp.Status)
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		_ = resp.Body.Close()
	}
	return nil, fmt.Errorf("giving up after %d attempt(s): %w", attempts, err)
}

// retryLog logs each retry (at V(2)) with the URL redacted.
func retryLog(l klog.Logger) retryablehttp.RequestLogHook {
	return func(_ retryablehttp.Logger, req *http.Request, attempt int) {
		if attempt > 0 {
			l.V(2).Info("Retrying a price list request", "url", redact(req.URL.String()), "attempt", attempt+1)
		}
	}
}
