package output

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

var errConvert = errors.New("conversion failed")

// failing writes half an output, then fails.
func failing(w io.Writer) error {
	io.WriteString(w, "half")
	return errConvert
}

// listDir returns the names in dir and each regular file's content.
func listDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case e.Type()&os.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			out[rel] = "-> " + l
		case e.IsDir():
			out[rel+"/"] = ""
		case e.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[rel] = string(b)
		default:
			out[rel] = e.Type().String()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Issue 15, finding 1: a failed import removed --out, cut a symlink's
// target to 0 bytes, removed a FIFO. Now a failure leaves everything as
// it was, and a success replaces the file (the link's target) whole.
func TestWriteFile(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string) string // returns --out
		write   func(io.Writer) error
		wantErr error
		want    map[string]string
	}{
		{"new file", func(t *testing.T, dir string) string { return filepath.Join(dir, "out.jsonl") },
			writeString("new\n"), nil, map[string]string{"out.jsonl": "new\n"}},
		{"replaces a file", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "out.jsonl")
			must(t, os.WriteFile(p, []byte("old\n"), 0o600))
			return p
		}, writeString("new\n"), nil, map[string]string{"out.jsonl": "new\n"}},
		{"failure keeps the file", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "keep.jsonl")
			must(t, os.WriteFile(p, []byte("precious\n"), 0o644))
			return p
		}, failing, errConvert, map[string]string{"keep.jsonl": "precious\n"}},
		{"failure leaves no new file", func(t *testing.T, dir string) string { return filepath.Join(dir, "out.jsonl") },
			failing, errConvert, map[string]string{}},
		{"symlink: the target is replaced, the link stays", func(t *testing.T, dir string) string {
			must(t, os.WriteFile(filepath.Join(dir, "target.jsonl"), []byte("old\n"), 0o644))
			must(t, os.Symlink("target.jsonl", filepath.Join(dir, "link.jsonl")))
			return filepath.Join(dir, "link.jsonl")
		}, writeString("new\n"), nil, map[string]string{"link.jsonl": "-> target.jsonl", "target.jsonl": "new\n"}},
		{"symlink: failure keeps link and target", func(t *testing.T, dir string) string {
			must(t, os.WriteFile(filepath.Join(dir, "target.jsonl"), []byte("old\n"), 0o644))
			must(t, os.Symlink("target.jsonl", filepath.Join(dir, "link.jsonl")))
			return filepath.Join(dir, "link.jsonl")
		}, failing, errConvert, map[string]string{"link.jsonl": "-> target.jsonl", "target.jsonl": "old\n"}},
		{"directory refused", func(t *testing.T, dir string) string {
			must(t, os.Mkdir(filepath.Join(dir, "d"), 0o755))
			return filepath.Join(dir, "d")
		}, writeString("x"), nil, map[string]string{"d/": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			out := tt.setup(t, dir)
			err := WriteFile(out, tt.write)
			switch {
			case tt.name == "directory refused":
				if err == nil || !strings.Contains(err.Error(), "is a directory") {
					t.Errorf("err = %v, want 'is a directory'", err)
				}
			case !errors.Is(err, tt.wantErr):
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, listDir(t, dir)); diff != "" {
				t.Errorf("directory after (-want +got):\n%s", diff)
			}
		})
	}
}

// A FIFO receives the output and stays; /dev/full fails and stays.
func TestWriteFileNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	must(t, syscall.Mkfifo(fifo, 0o644))
	got := make(chan string)
	go func() {
		b, _ := os.ReadFile(fifo)
		got <- string(b)
	}()
	if err := WriteFile(fifo, writeString("streamed\n")); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "streamed\n" {
		t.Errorf("the FIFO's reader got %q", s)
	}
	if st, err := os.Lstat(fifo); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO is gone or changed: %v, %v", st, err)
	}
	if _, err := os.Stat("/dev/full"); err == nil {
		err := WriteFile("/dev/full", func(w io.Writer) error {
			_, err := w.Write(make([]byte, 1<<16))
			return err
		})
		if err == nil {
			t.Error("writing /dev/full succeeded")
		}
		if st, err := os.Stat("/dev/full"); err != nil || st.Mode()&os.ModeCharDevice == 0 {
			t.Errorf("/dev/full is gone or changed: %v, %v", st, err)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// stage opens dir, writes files (name -> content) into staging, and
// commits unless commit is false.
func stage(t *testing.T, dir string, files map[string]string, commit bool) {
	t.Helper()
	d, err := OpenDir(dir)
	must(t, err)
	defer d.Close()
	for name, s := range files {
		p := filepath.Join(d.Staging(), name)
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		must(t, os.WriteFile(p, []byte(s), 0o644))
	}
	if commit {
		must(t, d.Commit())
	}
}

// outputs is listDir without this package's own files.
func outputs(t *testing.T, dir string) map[string]string {
	out := listDir(t, dir)
	delete(out, LockFile)
	delete(out, ManifestFile)
	return out
}

// Issue 15, finding 5: runs into one --out never mix, a failed run changes
// nothing, and a run with fewer outputs (whatif --only, simulate without
// --decisions) removes the previous run's others, but nothing it did not
// write.
func TestDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	first := map[string]string{"report.md": "1", "a/summary.json": "1a", "b/summary.json": "1b", "decisions.jsonl": "1"}
	stage(t, dir, first, true)
	if diff := cmp.Diff(map[string]string{"report.md": "1", "a/": "", "a/summary.json": "1a", "b/": "", "b/summary.json": "1b", "decisions.jsonl": "1"}, outputs(t, dir)); diff != "" {
		t.Errorf("after the first run (-want +got):\n%s", diff)
	}
	// The user's own file, beside the outputs and inside a scenario's.
	must(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "b", "mine.txt"), []byte("mine"), 0o644))

	// A run that fails before Commit changes nothing.
	stage(t, dir, map[string]string{"report.md": "2", "a/summary.json": "2a"}, false)
	want := map[string]string{"report.md": "1", "a/": "", "a/summary.json": "1a", "b/": "", "b/summary.json": "1b", "b/mine.txt": "mine", "decisions.jsonl": "1", "notes.txt": "mine"}
	if diff := cmp.Diff(want, outputs(t, dir)); diff != "" {
		t.Errorf("after a failed run (-want +got):\n%s", diff)
	}

	// A smaller run removes what only the first wrote, keeps the user's.
	stage(t, dir, map[string]string{"report.md": "3", "a/summary.json": "3a"}, true)
	want = map[string]string{"report.md": "3", "a/": "", "a/summary.json": "3a", "b/": "", "b/mine.txt": "mine", "notes.txt": "mine"}
	if diff := cmp.Diff(want, outputs(t, dir)); diff != "" {
		t.Errorf("after a smaller run (-want +got):\n%s", diff)
	}
	must(t, os.Remove(filepath.Join(dir, "b", "mine.txt")))
	stage(t, dir, map[string]string{"report.md": "4"}, true)
	want = map[string]string{"report.md": "4", "b/": "", "notes.txt": "mine"}
	if diff := cmp.Diff(want, outputs(t, dir)); diff != "" {
		t.Errorf("after a smaller run (-want +got):\n%s", diff)
	}
}

// A second run on a locked directory is refused at once, naming the lock.
func TestDirLocked(t *testing.T) {
	dir := t.TempDir()
	d, err := OpenDir(dir)
	must(t, err)
	_, err = OpenDir(dir)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), LockFile) {
		t.Errorf("second OpenDir: err = %v, want ErrLocked naming %s", err, LockFile)
	}
	must(t, d.Close())
	d, err = OpenDir(dir)
	must(t, err)
	must(t, d.Close())
}

// A destination that is not a regular file fails the commit before
// anything moves; an unwritable directory fails OpenDir.
func TestDirRefuses(t *testing.T) {
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "target"), []byte("t"), 0o644))
	must(t, os.Symlink("target", filepath.Join(dir, "summary.json")))
	d, err := OpenDir(dir)
	must(t, err)
	defer d.Close()
	must(t, os.WriteFile(filepath.Join(d.Staging(), "a.json"), []byte("new"), 0o644))
	must(t, os.WriteFile(filepath.Join(d.Staging(), "summary.json"), []byte("new"), 0o644))
	if err := d.Commit(); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Commit over a symlink: err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "a.json")); err == nil {
		t.Error("a.json was moved before the commit failed")
	}

	file := filepath.Join(t.TempDir(), "file")
	must(t, os.WriteFile(file, nil, 0o644))
	if _, err := OpenDir(file); err == nil || !strings.Contains(err.Error(), "--out "+file) {
		t.Errorf("OpenDir on a file: err = %v", err)
	}
	if os.Geteuid() != 0 {
		ro := filepath.Join(t.TempDir(), "ro")
		must(t, os.Mkdir(ro, 0o555))
		if _, err := OpenDir(ro); err == nil || !strings.Contains(err.Error(), "not writable") {
			t.Errorf("OpenDir on a read-only directory: err = %v", err)
		}
	}
}

// Whatever a manifest says, readManifest returns only paths inside the
// directory, and never this package's own files.
func FuzzReadManifest(f *testing.F) {
	f.Add("report.md\nspillway/summary.json\n")
	f.Add("../../etc/passwd\n/abs\n.spillway.lock\na/../../b\n")
	f.Fuzz(func(t *testing.T, data string) {
		p := filepath.Join(t.TempDir(), ManifestFile)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, rel := range readManifest(p) {
			if !filepath.IsLocal(rel) || strings.HasPrefix(filepath.Base(rel), ".spillway") {
				t.Fatalf("readManifest returned %q", rel)
			}
		}
	})
}
