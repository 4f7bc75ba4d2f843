package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spillway-dev/spillway/cost"
)

// TestPricesRefresh runs 'spillway prices refresh' against a test server
// holding the recorded AWS offer files: the written file is a dated
// catalog the strict loader reads, with the fetched Fargate price.
func TestPricesRefresh(t *testing.T) {
	dir := "../../cost/pricesource/aws/testdata"
	files := map[string]string{
		"/offers/v1.0/aws/AmazonEC2/current/region_index.json":           "region_index-AmazonEC2.json",
		"/offers/v1.0/aws/AmazonECS/current/region_index.json":           "region_index-AmazonECS.json",
		"/offers/v1.0/aws/AmazonEC2/20261127194658/us-east-1/index.json": "ec2-us-east-1.json",
		"/offers/v1.0/aws/AmazonECS/20261120172113/us-east-1/index.json": "ecs-us-east-1.json",
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, filepath.Join(dir, name))
	}))
	defer srv.Close()
	out := t.TempDir()
	var stdout bytes.Buffer
	cmd := newRootCommand()
	cmd.SetOut(&stdout)
	cmd.SetArgs([]string{"prices", "refresh", "--region", "us-east-1", "--aws-endpoint", srv.URL, "--out", out, "--retries", "-1"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	written, _ := filepath.Glob(filepath.Join(out, "prices-*.yaml"))
	if len(written) != 1 {
		t.Fatalf("wrote %v; want one prices-YYYY-MM-DD.yaml", written)
	}
	c, err := cost.LoadFile(written[0])
	if err != nil {
		t.Fatal(err)
	}
	if m5, _ := c.InstanceType("m5.xlarge"); m5.HourlyUSD[cost.Reserved] != 0.119 {
		t.Errorf("m5.xlarge Reserved = %v; want the offer file's 0.119", m5.HourlyUSD[cost.Reserved])
	}
	if !strings.Contains(stdout.String(), "m5.xlarge Reserved: $0.121 -> $0.119 per hour") {
		t.Errorf("output does not list the change:\n%s", stdout.String())
	}

	// A server that fails leaves nothing behind and names the URL.
	target := filepath.Join(out, "fail.yaml")
	cmd = newRootCommand()
	cmd.SetArgs([]string{"prices", "refresh", "--aws-region", "us-east-1", "--aws-endpoint", srv.URL + "/gone", "--out", target, "--retries", "-1"})
	if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), srv.URL+"/gone") {
		t.Errorf("refresh from a missing mirror: %v", err)
	}
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Errorf("a failed refresh wrote %s", target)
	}
	cmd = newRootCommand()
	cmd.SetArgs([]string{"prices", "refresh", "--out", target})
	if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), "region") {
		t.Errorf("refresh without a region: %v", err)
	}
}
