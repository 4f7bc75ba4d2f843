// Package catalogs loads the backend and price catalogs named in plugin
// args: the embedded defaults, with the user's file on top.
package catalogs

import (
	"fmt"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/cost"
)

// Backends returns the embedded backend catalog, with the entries of the
// file at path (if any) overriding it by name.
func Backends(path string) (*backends.Catalog, error) {
	if path == "" {
		return backends.Default(), nil
	}
	user, err := backends.LoadFile(path)
	if err != nil {
		return nil, err
	}
	merged, err := backends.Default().WithOverrides(user)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return merged, nil
}

// Prices returns the price catalog at path, or the embedded one.
func Prices(path string) (*cost.Catalog, error) {
	if path == "" {
		return cost.Default(), nil
	}
	return cost.LoadFile(path)
}
