package whatif

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation"
)

// ValidateName checks that a scenario name is safe as the name of its
// folder in the output directory: a DNS-1123 label (lower-case letters,
// digits and '-', at most 63 characters), so never "..", a path separator
// or a hidden file.
func ValidateName(name string) error {
	if errs := validation.IsDNS1123Label(name); len(errs) > 0 {
		return fmt.Errorf("scenario name %q: %s (it names the scenario's folder in --out)", name, errs[0])
	}
	return nil
}
