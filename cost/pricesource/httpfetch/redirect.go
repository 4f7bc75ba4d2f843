package httpfetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/hashicorp/go-retryablehttp"
)

// Redirects says which HTTP redirects an outbound call follows. A redirect
// to another host is never followed: it would carry the query (a price
// filter, a PromQL query, a mirror's token in the URL) to whoever the
// configured endpoint names.
type Redirects string

// The redirect policies.
const (
	// RedirectsSameHost follows a redirect only to the same scheme and
	// host:port as the request it answers (https to http is refused), at
	// most MaxRedirects times. The default.
	RedirectsSameHost Redirects = "SameHost"
	// RedirectsNone follows no redirect: a 3xx answer is an error.
	RedirectsNone Redirects = "None"
)

// MaxRedirects bounds the redirects one request follows under SameHost.
const MaxRedirects = 5

// ErrRedirect is wrapped by the error of a redirect that the policy
// refuses. Such a request is not retried.
var ErrRedirect = errors.New("redirect refused")

// ParseRedirects checks a policy's spelling; "" is the default, SameHost.
func ParseRedirects(s string) (Redirects, error) {
	switch r := Redirects(s); r {
	case "":
		return RedirectsSameHost, nil
	case RedirectsSameHost, RedirectsNone:
		return r, nil
	}
	return "", fmt.Errorf("unknown redirect policy %q (want %s or %s)", s, RedirectsSameHost, RedirectsNone)
}

// CheckRedirect returns the http.Client.CheckRedirect of policy p (an
// unknown policy follows none). The error names the refused location,
// redacted, and wraps ErrRedirect.
func CheckRedirect(p Redirects) func(req *http.Request, via []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		prev := via[len(via)-1]
		to := redact(req.URL.String())
		switch {
		case p != RedirectsSameHost:
			return fmt.Errorf("%w: %s answered with a redirect to %s (redirects: %s)", ErrRedirect, redact(prev.URL.String()), to, p)
		case !strings.EqualFold(req.URL.Host, prev.URL.Host):
			return fmt.Errorf("%w: %s redirects to another host, %s (only the same host is followed)", ErrRedirect, redact(prev.URL.String()), to)
		case req.URL.Scheme != prev.URL.Scheme:
			return fmt.Errorf("%w: %s redirects from %s to %s (only the same scheme is followed)", ErrRedirect, redact(prev.URL.String()), prev.URL.Scheme, req.URL.Scheme)
		case len(via) > MaxRedirects:
			return fmt.Errorf("%w: more than %d redirects from %s", ErrRedirect, MaxRedirects, redact(via[0].URL.String()))
		}
		return nil
	}
}

// Persistent reports whether err is a failure that trying again soon
// would meet again: a response above the size cap, a JSON value above
// what a decoder may hold, a refused redirect. A caller that retries with
// backoff can wait its full interval after one.
func Persistent(err error) bool {
	return errors.Is(err, ErrTooLarge) || errors.Is(err, ErrValueTooLarge) || errors.Is(err, ErrRedirect)
}

// RetryPolicy is retryablehttp's default policy, except that a refused
// redirect is final (retrying would be refused again).
func RetryPolicy(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if errors.Is(err, ErrRedirect) {
		return false, err
	}
	return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
}
