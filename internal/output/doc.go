// Package output writes the spillway command's outputs so that a failed,
// interrupted or concurrent run never loses, truncates or mixes what was
// there.
//
// WriteFile writes one file: into a temporary file in the same directory,
// renamed over the file once complete. A symbolic link is followed (the
// link stays, its target is replaced); an existing file that is not a
// regular one (a FIFO, a device such as /dev/full) is written to directly
// and never removed.
//
// OpenDir takes an output directory (simulate, whatif, tune, plan --out):
// it creates it, locks it against a second run (flock on DIR/.spillway.lock,
// refused at once with an error naming the lock), and gives a staging
// directory inside it where the run writes. Commit moves the staged files
// into place, one rename each, and removes the files the previous run
// wrote that this one did not (listed in DIR/.spillway-manifest; nothing
// else in DIR is touched). Close removes the staging directory and
// releases the lock, so a run that fails or is interrupted before Commit
// leaves DIR as it was. Only a crash (SIGKILL, power loss) during Commit
// itself, a few renames, can leave a mix.
package output
