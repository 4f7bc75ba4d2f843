//go:build !unix

package output

import "os"

// lock is a no-op where flock is not available: concurrent runs are not
// detected there.
func lock(*os.File) error { return nil }

func unlock(*os.File) {}
