package output

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Names inside an output directory that belong to this package.
const (
	LockFile      = ".spillway.lock"
	ManifestFile  = ".spillway-manifest"
	stagingPrefix = ".spillway-staging-"
)

// ErrLocked is returned by OpenDir when another run holds the directory.
var ErrLocked = errors.New("another spillway run is writing to it")

// Dir is an output directory being written by one run.
type Dir struct {
	path    string
	staging string
	lock    *os.File
}

// OpenDir creates path if needed, locks it against other runs and makes
// the staging directory: everything a run checks about its output
// directory, before the run does any work.
func OpenDir(path string) (*Dir, error) {
	if err := os.MkdirAll(path, 0o755); err != nil {
		return nil, fmt.Errorf("--out %s: %w", path, err)
	}
	lf, err := os.OpenFile(filepath.Join(path, LockFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("--out %s: not writable: %w", path, err)
	}
	if err := lock(lf); err != nil {
		lf.Close()
		if errors.Is(err, ErrLocked) {
			return nil, fmt.Errorf("--out %s: %w (it holds %s); wait for it or choose another --out", path, ErrLocked, lf.Name())
		}
		return nil, fmt.Errorf("--out %s: locking %s: %w", path, lf.Name(), err)
	}
	// Staging directories of runs that were killed: ours now, as we hold
	// the lock.
	if old, _ := filepath.Glob(filepath.Join(path, stagingPrefix+"*")); len(old) > 0 {
		for _, o := range old {
			os.RemoveAll(o)
		}
	}
	staging, err := os.MkdirTemp(path, stagingPrefix)
	if err != nil {
		unlock(lf)
		lf.Close()
		return nil, fmt.Errorf("--out %s: not writable: %w", path, err)
	}
	return &Dir{path: path, staging: staging, lock: lf}, nil
}

// Path is the output directory as given.
func (d *Dir) Path() string { return d.path }

// Staging is where the run writes its files, with the same layout they
// will have in the output directory.
func (d *Dir) Staging() string { return d.staging }

// Close removes the staging directory (with anything not committed) and
// releases the lock. It is safe to call more than once.
func (d *Dir) Close() error {
	if d.lock == nil {
		return nil
	}
	err := os.RemoveAll(d.staging)
	unlock(d.lock)
	d.lock.Close()
	d.lock = nil
	return err
}

// Commit moves every staged file into the output directory and removes
// the files that the previous run's manifest lists and this run did not
// write. Before moving anything, it checks that each destination is a
// regular file or missing, so that it fails before a partial move.
func (d *Dir) Commit() error {
	var files []string
	err := filepath.WalkDir(d.staging, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.IsDir() {
			rel, err := filepath.Rel(d.staging, p)
			if err != nil {
				return err
			}
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.Sort(files)
	for _, rel := range files {
		dst := filepath.Join(d.path, rel)
		if st, err := os.Lstat(dst); err == nil && !st.Mode().IsRegular() {
			return fmt.Errorf("%s: exists and is not a regular file; not replacing it (the outputs were not written)", dst)
		}
		for dir := filepath.Dir(rel); dir != "."; dir = filepath.Dir(dir) {
			if st, err := os.Lstat(filepath.Join(d.path, dir)); err == nil && !st.IsDir() {
				return fmt.Errorf("%s: exists and is not a directory (the outputs were not written)", filepath.Join(d.path, dir))
			}
		}
	}
	previous := readManifest(filepath.Join(d.path, ManifestFile))
	for _, rel := range files {
		dst := filepath.Join(d.path, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.Rename(filepath.Join(d.staging, rel), dst); err != nil {
			return err
		}
	}
	var manifest bytes.Buffer
	for _, rel := range files {
		fmt.Fprintln(&manifest, filepath.ToSlash(rel))
	}
	if err := WriteFile(filepath.Join(d.path, ManifestFile), func(w io.Writer) error {
		_, err := w.Write(manifest.Bytes())
		return err
	}); err != nil {
		return err
	}
	for _, rel := range previous {
		if _, again := slices.BinarySearch(files, rel); again {
			continue
		}
		d.removeStale(rel)
	}
	return nil
}

// removeStale removes a regular file an earlier run wrote, and the
// directories that it leaves empty, up to the output directory.
func (d *Dir) removeStale(rel string) {
	p := filepath.Join(d.path, rel)
	if st, err := os.Lstat(p); err != nil || !st.Mode().IsRegular() {
		return
	}
	if os.Remove(p) != nil {
		return
	}
	for dir := filepath.Dir(rel); dir != "."; dir = filepath.Dir(dir) {
		if os.Remove(filepath.Join(d.path, dir)) != nil {
			return // not empty: it holds something else
		}
	}
}

// readManifest returns the local relative paths of a manifest, sorted;
// anything else in it (an absolute path, "..") is ignored.
func readManifest(path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		rel := filepath.FromSlash(strings.TrimSpace(sc.Text()))
		if rel == "" || !filepath.IsLocal(rel) {
			continue
		}
		if rel = filepath.Clean(rel); !strings.HasPrefix(filepath.Base(rel), ".spillway") {
			out = append(out, rel)
		}
	}
	slices.Sort(out)
	return out
}

// CheckWritable creates dir if needed and checks that a file can be
// created in it, for a run that writes one file into a directory other
// runs share (tune's shards).
func CheckWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--out %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".spillway-check-*")
	if err != nil {
		return fmt.Errorf("--out %s: not writable: %w", dir, err)
	}
	f.Close()
	return os.Remove(f.Name())
}
