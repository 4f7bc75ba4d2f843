package cost

// VMHourlyUSD is the hourly price of a node: its instance type's price
// under opt (OnDemand when the type lists no price for opt), or, for a type
// the catalog does not list, the fallback rate for opt (else OnDemand)
// times the node's vCPU and GiB. known reports whether the instance type
// was listed.
func (c *Catalog) VMHourlyUSD(instanceType string, cpuMilli, memoryBytes int64, opt PricingOption) (usd float64, known bool) {
	if t, ok := c.instances[instanceType]; ok {
		if v, ok := t.HourlyUSD[opt]; ok {
			return v, true
		}
		return t.HourlyUSD[OnDemand], true
	}
	rate, ok := c.Dedicated.Fallback[opt]
	if !ok {
		rate = c.Dedicated.Fallback[OnDemand]
	}
	return float64(cpuMilli)/1000*rate.VCPUHourUSD + float64(memoryBytes)/(1<<30)*rate.GiBHourUSD, false
}
