// Command image builds spillway-scheduler's container image as a tarball,
// without a Docker daemon: one layer with the static binaries (and the few
// files a scratch base lacks: /etc/passwd and /etc/group naming uid 65532,
// the CA certificates, /tmp) on an empty base, the config's user, entrypoint
// and OCI labels set. The tarball is in the `docker save` format, which
// `docker load`, `ctr images import`, `podman load` and `crane push` read.
// `make image` runs it; see the README for pushing the result.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func main() {
	var (
		o    Options
		out  string
		repo string
		tags stringList
		bins stringList
	)
	flag.StringVar(&out, "out", "bin/spillway-scheduler-image.tar", "the image tarball to write")
	flag.StringVar(&repo, "repository", DefaultRepository, "the image's repository; the image is tagged REPOSITORY:latest and REPOSITORY:TAG for each -tag")
	flag.Var(&tags, "tag", "a tag besides latest, e.g. the version (repeatable)")
	flag.Var(&bins, "binary", "a static binary to put at the image's root, PATH (repeatable; the first is the entrypoint)")
	flag.StringVar(&o.CACertificates, "ca-certificates", "/etc/ssl/certs/ca-certificates.crt", "the CA bundle to put at /etc/ssl/certs/ca-certificates.crt")
	flag.StringVar(&o.Version, "version", "", "the version label (org.opencontainers.image.version), e.g. from git describe")
	flag.StringVar(&o.Revision, "revision", "", "the source revision label (org.opencontainers.image.revision)")
	flag.StringVar(&o.Source, "source", "https://github.com/spillway-dev/spillway", "the source label (org.opencontainers.image.source)")
	created := flag.String("created", "", "the image's creation time, RFC 3339 (e.g. the commit's); default: the Unix epoch, for reproducible images")
	flag.Parse()
	if err := run(&o, out, refs(repo, tags), bins, *created); err != nil {
		fmt.Fprintf(os.Stderr, "image: %v\n", err)
		os.Exit(1)
	}
}

// DefaultRepository is the image's repository in manifests/deployment.yaml,
// with the tag latest, which every image built here carries.
const DefaultRepository = "ghcr.io/spillway-dev/spillway-scheduler"

// refs are the image's references: repo:latest, then repo:tag for each tag.
func refs(repo string, tags []string) []string {
	out := []string{repo + ":latest"}
	for _, t := range tags {
		if t != "latest" {
			out = append(out, repo+":"+t)
		}
	}
	return out
}

func run(o *Options, out string, tags, bins []string, created string) error {
	if len(tags) == 0 || len(bins) == 0 {
		return fmt.Errorf("want at least one tag and one -binary")
	}
	if created != "" {
		t, err := time.Parse(time.RFC3339, created)
		if err != nil {
			return fmt.Errorf("-created: %w", err)
		}
		o.Created = t
	}
	o.Binaries = bins
	img, err := Build(o)
	if err != nil {
		return err
	}
	if err := Write(out, img, tags); err != nil {
		return err
	}
	d, err := img.Digest()
	if err != nil {
		return err
	}
	fmt.Printf("wrote %s: %s (%s)\n", out, strings.Join(tags, ", "), d)
	return nil
}
