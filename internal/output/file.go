package output

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFile writes path with write: atomically for a regular file (or a
// new one), directly for an existing FIFO or device. On failure the file
// is left as it was (a FIFO or device may have received part of the
// output) and nothing else is left behind.
func WriteFile(path string, write func(io.Writer) error) error {
	target, st, err := resolve(path)
	if err != nil {
		return err
	}
	if st != nil && !st.Mode().IsRegular() {
		if st.IsDir() {
			return fmt.Errorf("%s: is a directory, want a file", path)
		}
		return stream(target, write)
	}
	perm := fs.FileMode(0o644)
	if st != nil {
		perm = st.Mode().Perm()
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := write(tmp); err != nil {
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		os.Remove(tmp.Name())
		done = true
		return fmt.Errorf("%s: %w", path, err)
	}
	done = true
	return nil
}

// resolve follows path's symbolic links: it returns the file to replace
// and its Stat, nil if it does not exist yet.
func resolve(path string) (string, fs.FileInfo, error) {
	lst, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return path, nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	if lst.Mode()&fs.ModeSymlink == 0 {
		return path, lst, nil
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", nil, fmt.Errorf("%s: a symbolic link whose target cannot be resolved (%w); give the target or remove the link", path, err)
	}
	st, err := os.Stat(target)
	if err != nil {
		return "", nil, err
	}
	return target, st, nil
}

// stream writes to an existing non-regular file (a FIFO, a device) as it
// is: opened for writing, never created, truncated or removed.
func stream(path string, write func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	err = write(f)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("%s: %w", path, cerr)
	}
	return err
}
