package httpfetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFetchRedirects: with httptest servers on loopback, a redirect to the
// same host is followed under SameHost (the default) and refused under
// None; a redirect to another host (another port, or the same port under
// another name) is refused under both, once (no retry), and the other host
// sees no request.
func TestFetchRedirects(t *testing.T) {
	var otherHits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		otherHits.Add(1)
		fmt.Fprint(w, `{"a": 2}`)
	}))
	defer other.Close()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/same":
			http.Redirect(w, r, "/final?"+r.URL.RawQuery, http.StatusFound)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/other":
			http.Redirect(w, r, other.URL+"/final?"+r.URL.RawQuery, http.StatusFound)
		case "/othername": // the same server under the name localhost
			http.Redirect(w, r, strings.Replace(srvURL(r), "127.0.0.1", "localhost", 1)+"/final", http.StatusTemporaryRedirect)
		case "/final":
			fmt.Fprint(w, `{"a": 1}`)
		}
	}))
	defer srv.Close()
	tests := []struct {
		name      string
		policy    Redirects
		path      string
		want      int    // a's value on success
		wantErr   string // "" = success
		wantHits  int32  // requests to srv
		wantOther int32  // requests to the other host
	}{
		{"no redirect", "", "/final", 1, "", 1, 0},
		{"same host, default policy", "", "/same?filter=x", 1, "", 2, 0},
		{"same host, SameHost", RedirectsSameHost, "/same", 1, "", 2, 0},
		{"same host, None", RedirectsNone, "/same", 0, "(redirects: None)", 1, 0},
		{"other host, SameHost", RedirectsSameHost, "/other?token=secret", 0, "redirects to another host", 1, 0},
		{"other host, None", RedirectsNone, "/other", 0, "redirect refused", 1, 0},
		{"same port, other name", RedirectsSameHost, "/othername", 0, "redirects to another host", 1, 0},
		{"a loop stops", RedirectsSameHost, "/loop", 0, "more than 5 redirects", 6, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits.Store(0)
			otherHits.Store(0)
			o := fast()
			o.Redirects = tt.policy
			got, err := Fetch(context.Background(), New(o), srv.URL+tt.path, decodeMap)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Fetch: %v", err)
			case tt.wantErr == "" && got["a"] != tt.want:
				t.Errorf("a = %d; want %d", got["a"], tt.want)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrRedirect)):
				t.Fatalf("Fetch error = %v; want ErrRedirect saying %q", err, tt.wantErr)
			case err != nil && strings.Contains(err.Error(), "secret"):
				t.Errorf("the error shows the token: %v", err)
			}
			if diff := cmp.Diff([]int32{tt.wantHits, tt.wantOther}, []int32{hits.Load(), otherHits.Load()}); diff != "" {
				t.Errorf("requests to [srv, other] (-want +got):\n%s", diff)
			}
		})
	}
}

func srvURL(r *http.Request) string { return "http://" + r.Host }

func TestParseRedirects(t *testing.T) {
	for in, want := range map[string]Redirects{"": RedirectsSameHost, "SameHost": RedirectsSameHost, "None": RedirectsNone} {
		if got, err := ParseRedirects(in); err != nil || got != want {
			t.Errorf("ParseRedirects(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseRedirects("Any"); err == nil {
		t.Error("ParseRedirects(\"Any\") accepted")
	}
}
