// Package catalogs loads the backend and price catalogs named in plugin
// args: the embedded defaults, with the user's file on top.
package catalogs

import (
	"fmt"
	"sync"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/cost"
)

// defaultBackends is the embedded backend catalog every plugin without a
// backendCatalogFile shares: one node memo (backends.Catalog.ForNode) for
// all of them, so that each node object is classified once, not once per
// plugin. Catalogs are read-only once built.
var defaultBackends = sync.OnceValue(backends.Default)

// Backends returns the embedded backend catalog, with the entries of the
// file at path (if any) overriding it by name. Without a file, every
// caller gets the same catalog: treat it as read-only.
func Backends(path string) (*backends.Catalog, error) {
	if path == "" {
		return defaultBackends(), nil
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
