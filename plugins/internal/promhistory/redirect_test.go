package promhistory

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spillway-dev/spillway/cost/pricesource/httpfetch"
)

// TestClientRedirects: with httptest servers on loopback, the Prometheus
// client follows a redirect to the same host under SameHost (the default)
// and none under None; a redirect to another host is refused under both,
// without a retry, and the query never reaches the other host.
func TestClientRedirects(t *testing.T) {
	var otherHits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		otherHits.Add(1)
		fmt.Fprint(w, okBody)
	}))
	defer other.Close()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch {
		case strings.HasPrefix(r.URL.Path, "/same/"):
			// 307 keeps the method and the form.
			http.Redirect(w, r, strings.TrimPrefix(r.URL.Path, "/same"), http.StatusTemporaryRedirect)
		case strings.HasPrefix(r.URL.Path, "/other/"):
			http.Redirect(w, r, other.URL+strings.TrimPrefix(r.URL.Path, "/other"), http.StatusTemporaryRedirect)
		case r.URL.Path == "/api/v1/query_range" && r.FormValue("query") == "up":
			fmt.Fprint(w, okBody)
		default:
			http.Error(w, "bad request", http.StatusBadRequest)
		}
	}))
	defer srv.Close()
	tests := []struct {
		name     string
		base     string
		policy   httpfetch.Redirects
		wantErr  string
		wantHits [2]int32 // requests to srv and to other
	}{
		{"no redirect", "/", "", "", [2]int32{1, 0}},
		{"same host, default", "/same", "", "", [2]int32{2, 0}},
		{"same host, None", "/same", httpfetch.RedirectsNone, "redirect refused", [2]int32{1, 0}},
		{"other host, default", "/other", "", "redirects to another host", [2]int32{1, 0}},
		{"other host, None", "/other", httpfetch.RedirectsNone, "redirect refused", [2]int32{1, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits.Store(0)
			otherHits.Store(0)
			c, err := NewClient(srv.URL+tt.base, time.Second, 1<<20, tt.policy)
			if err != nil {
				t.Fatal(err)
			}
			fastRetries(c)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			got, err := c.QueryRange(ctx, "up", at(0), at(200), time.Minute)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(okPoints, got); diff != "" {
					t.Errorf("points (-want +got):\n%s", diff)
				}
			} else if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, httpfetch.ErrRedirect) {
				t.Fatalf("error = %v; want ErrRedirect saying %q", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.wantHits, [2]int32{hits.Load(), otherHits.Load()}); diff != "" {
				t.Errorf("requests to [srv, other] (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := NewClient(srv.URL, time.Second, 1<<20, "Anywhere"); err == nil {
		t.Error("NewClient accepted the redirect policy \"Anywhere\"")
	}
}
