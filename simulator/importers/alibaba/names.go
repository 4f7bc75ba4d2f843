package alibaba

import (
	"fmt"
	"hash/fnv"
	"strings"
)

// maxNameLen is the longest Job name: a DNS-1123 label, as the Job's name
// becomes a label value of its pods.
const maxNameLen = 63

// JobName is the name of the Job of task in job: "JOB-TASK" when both are
// lower-case letters and digits and the result fits 63 characters;
// otherwise the sanitised (lower-cased, other characters replaced by
// "-"), possibly shortened, "JOB-TASK" followed by "-" and 8 hex digits
// of an FNV-1a hash of job and task, so that distinct pairs get distinct
// names.
func JobName(job, task string) string {
	plain := isPlain(job) && isPlain(task)
	name := sanitise(job) + "-" + sanitise(task)
	if plain && len(name) <= maxNameLen {
		return name
	}
	h := fnv.New32a()
	h.Write([]byte(job))
	h.Write([]byte{0})
	h.Write([]byte(task))
	suffix := fmt.Sprintf("%08x", h.Sum32())
	if len(name) > maxNameLen-len(suffix)-1 {
		name = name[:maxNameLen-len(suffix)-1]
	}
	name = strings.Trim(name, "-")
	if name == "" {
		return "t-" + suffix
	}
	return name + "-" + suffix
}

func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return s != ""
}

// sanitise lower-cases s and replaces each run of other characters than
// letters and digits by one "-", trimming them at the ends.
func sanitise(s string) string {
	var b strings.Builder
	dash := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteByte(c)
			continue
		}
		dash = true
	}
	return b.String()
}
