package httpfetch

import (
	"net/url"
	"strings"
)

// secretParams are query parameters whose values never reach a log or an
// error (a mirror or proxy may take a token in its URL).
var secretParams = []string{"token", "key", "sig", "signature", "secret", "password", "credential", "auth"}

// redact returns rawURL without its password and without the values of
// query parameters that look like secrets.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparsable URL)"
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	q := u.Query()
	changed := false
	for k := range q {
		lk := strings.ToLower(k)
		for _, s := range secretParams {
			if strings.Contains(lk, s) {
				q.Set(k, "xxxxx")
				changed = true
			}
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	return u.String()
}
