package azurefunctions

import "fmt"

// namePrefix starts every Deployment name; hashLen is how many characters
// of the app hash follow it when that is unique.
const (
	namePrefix = "app-"
	hashLen    = 8
	maxNameLen = 63
)

// appNames names each app "app-" + the first 8 characters of its hash;
// apps whose 8-character prefixes collide get the shortest longer prefix
// that tells them apart. Hashes are distinct, lower-case letters and
// digits.
func appNames(apps []*app) ([]string, error) {
	groups := map[string][]int{}
	for i, a := range apps {
		p := prefix(a.hash, hashLen)
		groups[p] = append(groups[p], i)
	}
	names := make([]string, len(apps))
	for _, g := range groups {
		n := hashLen
		for ; len(g) > 1; n++ {
			if n > maxNameLen-len(namePrefix) {
				return nil, fmt.Errorf("apps %q and others: cannot name them uniquely within %d characters", apps[g[0]].hash, maxNameLen)
			}
			seen := map[string]bool{}
			unique := true
			for _, i := range g {
				p := prefix(apps[i].hash, n)
				if seen[p] {
					unique = false
					break
				}
				seen[p] = true
			}
			if unique {
				break
			}
		}
		for _, i := range g {
			names[i] = namePrefix + prefix(apps[i].hash, n)
		}
	}
	return names, nil
}

func prefix(s string, n int) string {
	if len(s) < n {
		return s
	}
	return s[:n]
}
