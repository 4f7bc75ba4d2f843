package main

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"sigs.k8s.io/yaml"
)

const testVersion = "v1.34.10+spillway.imagetest"

// buildBinaries builds both commands as `make build` does (static, the
// version stamped) into a temporary directory.
func buildBinaries(t *testing.T) (scheduler, tool string) {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-o", dir+"/", "-ldflags", "-s -w -X k8s.io/component-base/version.gitVersion="+testVersion,
		"../../cmd/spillway-scheduler", "../../cmd/spillway")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return filepath.Join(dir, "spillway-scheduler"), filepath.Join(dir, "spillway")
}

// TestImage builds the image tarball as `make image` does, opens it as
// docker load would (manifest.json, the config, the layer), checks the
// user, entrypoint, labels and files, and runs the binary taken out of the
// layer.
func TestImage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds both binaries")
	}
	scheduler, tool := buildBinaries(t)
	out := filepath.Join(t.TempDir(), "image.tar")
	tags := refs(DefaultRepository, []string{"v1.34.10-spillway.imagetest"})
	ca := filepath.Join(t.TempDir(), "ca.crt")
	if err := os.WriteFile(ca, []byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	created := "2026-12-03T10:00:00Z"
	if err := run(&Options{CACertificates: ca, Version: testVersion, Revision: "abc123", Source: "https://example.com/spillway"}, out, tags, []string{scheduler, tool}, created); err != nil {
		t.Fatal(err)
	}

	// manifest.json, as docker load reads it: both tags, one layer.
	var manifest []struct {
		Config   string
		RepoTags []string
		Layers   []string
	}
	if err := json.Unmarshal(readTarFile(t, out, "manifest.json"), &manifest); err != nil {
		t.Fatal(err)
	}
	if len(manifest) != 1 || len(manifest[0].Layers) != 1 {
		t.Fatalf("manifest.json: %+v, want one image with one layer", manifest)
	}
	gotTags := append([]string(nil), manifest[0].RepoTags...)
	sort.Strings(gotTags)
	wantTags := append([]string(nil), tags...)
	sort.Strings(wantTags)
	if diff := cmp.Diff(wantTags, gotTags); diff != "" {
		t.Errorf("RepoTags (-want +got):\n%s", diff)
	}

	tag, err := name.NewTag(tags[0])
	if err != nil {
		t.Fatal(err)
	}
	img, err := tarball.ImageFromPath(out, &tag)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	type config struct {
		OS, User, Created string
		Entrypoint        []string
		Labels            map[string]string
	}
	got := config{OS: cf.OS, User: cf.Config.User, Created: cf.Created.Format(time.RFC3339), Entrypoint: cf.Config.Entrypoint, Labels: cf.Config.Labels}
	want := config{OS: "linux", User: "65532:65532", Created: created, Entrypoint: []string{"/spillway-scheduler"}, Labels: map[string]string{
		"org.opencontainers.image.title":    "spillway-scheduler",
		"org.opencontainers.image.version":  testVersion,
		"org.opencontainers.image.revision": "abc123",
		"org.opencontainers.image.source":   "https://example.com/spillway",
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}

	layers, err := img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("layers: %d, %v; want 1", len(layers), err)
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = rc.Close() }()
	dir := t.TempDir()
	files := map[string]string{} // name: mode
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name] = os.FileMode(h.Mode).String()
		if h.Uid != 0 || h.Gid != 0 {
			t.Errorf("%s is owned by %d:%d, want root", h.Name, h.Uid, h.Gid)
		}
		if h.Name == "spillway-scheduler" || h.Name == "spillway" {
			f, err := os.OpenFile(filepath.Join(dir, h.Name), os.O_CREATE|os.O_WRONLY, 0o755)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.Copy(f, tr); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
	wantFiles := map[string]string{
		"etc/": "-rwxr-xr-x", "etc/ssl/": "-rwxr-xr-x", "etc/ssl/certs/": "-rwxr-xr-x", "home/": "-rwxr-xr-x", "home/nonroot/": "-rwxr-xr-x",
		"tmp/": "-rwxrwxrwx", "etc/passwd": "-rw-r--r--", "etc/group": "-rw-r--r--", "etc/ssl/certs/ca-certificates.crt": "-rw-r--r--",
		"spillway-scheduler": "-rwxr-xr-x", "spillway": "-rwxr-xr-x",
	}
	if diff := cmp.Diff(wantFiles, files); diff != "" {
		t.Errorf("layer files (-want +got):\n%s", diff)
	}
	// The entrypoint, taken out of the layer, runs.
	version, err := exec.Command(filepath.Join(dir, "spillway-scheduler"), "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("spillway-scheduler --version: %v\n%s", err, version)
	}
	if !strings.Contains(string(version), testVersion) {
		t.Errorf("spillway-scheduler --version printed %q, want it to name %s", version, testVersion)
	}
	if help, err := exec.Command(filepath.Join(dir, "spillway"), "help").CombinedOutput(); err != nil {
		t.Errorf("spillway help: %v\n%s", err, help)
	}
}

// TestDeploymentNamesTheImage: manifests/deployment.yaml runs the tag
// that every image built here carries.
func TestDeploymentNamesTheImage(t *testing.T) {
	data, err := os.ReadFile("../../manifests/deployment.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Spec struct {
			Template struct {
				Spec struct {
					Containers []struct{ Image string }
				}
			}
		}
	}
	if err := yaml.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	var images []string
	for _, c := range d.Spec.Template.Spec.Containers {
		images = append(images, c.Image)
	}
	if diff := cmp.Diff([]string{refs(DefaultRepository, nil)[0]}, images); diff != "" {
		t.Errorf("deployment.yaml's images (-make image's +deployment.yaml):\n%s", diff)
	}
}

// TestRefusesDynamicBinaries: an empty base has no ELF interpreter.
func TestRefusesDynamicBinaries(t *testing.T) {
	notELF := filepath.Join(t.TempDir(), "script")
	if err := os.WriteFile(notELF, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ bin, want string }{
		{"/bin/ls", "/bin/ls is dynamically linked"},
		{notELF, "not an ELF binary"},
	}
	for _, tc := range cases {
		if _, err := os.Stat(tc.bin); err != nil {
			t.Fatalf("%s: %v", tc.bin, err)
		}
		_, err := Build(&Options{Binaries: []string{tc.bin}})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Build(%s): error %v, want %q", tc.bin, err, tc.want)
		}
	}
}

// readTarFile returns a file of a tarball.
func readTarFile(t *testing.T, path, file string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("%s has no %s: %v", path, file, err)
		}
		if h.Name == file {
			data, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			return data
		}
	}
}
