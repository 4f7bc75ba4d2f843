package burstcost

import (
	"fmt"
	"time"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/cost"
)

// priced is a price catalog ready for the hot path: the serverless price
// of every backend looked up once. It is never modified once built, so
// PreScore and Score read it without locks.
type priced struct {
	catalog *cost.Catalog
	// serverless[i] prices the backend catalog's i-th backend (nil: no
	// per-pod bill).
	serverless []*cost.ServerlessPrice
	// origin says where the catalog came from (the embedded catalog, a
	// file, a refresh); asOf is when its prices were checked.
	origin string
	asOf   time.Time
}

// newPriced checks that c prices every backend of bc that has a per-pod
// bill.
func newPriced(c *cost.Catalog, bc *backends.Catalog, origin string, asOf time.Time) (*priced, error) {
	p := &priced{catalog: c, serverless: make([]*cost.ServerlessPrice, len(bc.Backends)), origin: origin, asOf: asOf}
	for i, b := range bc.Backends {
		if b.Pricing == "" {
			continue
		}
		sp, ok := c.Serverless(b.Pricing)
		if !ok {
			return nil, fmt.Errorf("backend %q is priced as %q, which the price catalog (%s) does not list", b.Name, b.Pricing, origin)
		}
		p.serverless[i] = sp
	}
	return p, nil
}

// catalogOrigin names the catalog of priceCatalogFile.
func catalogOrigin(path string) string {
	if path == "" {
		return "embedded cost/catalog.yaml"
	}
	return path
}

// catalogDate is the start of the catalog's "updated" day (UTC).
func catalogDate(c *cost.Catalog) time.Time {
	t, _ := time.Parse(time.DateOnly, c.Updated) // validated by Load
	return t
}
