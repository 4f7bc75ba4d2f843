package cost

// VMHourlyUSD is the hourly price of a node: its instance type's price
// under opt (falling back to OnDemand if the type lists no price for opt),
// or, for an instance type the catalog does not list, the fallback rate
// for opt (else the OnDemand rate) times the node's allocatable size:
//
//	known:   USD/h = HourlyUSD[opt], else HourlyUSD[OnDemand]
//	unknown: USD/h = cpuMilli/1000 × rate.VCPUHourUSD + memoryBytes/2^30 × rate.GiBHourUSD
//
// cpuMilli and memoryBytes are used only for an unknown type (negative
// values count as 0). known reports whether the instance type was found.
func (c *Catalog) VMHourlyUSD(instanceType string, cpuMilli, memoryBytes int64, opt PricingOption) (usd float64, known bool) {
	if t, ok := c.InstanceType(instanceType); ok {
		if v, ok := t.HourlyUSD[opt]; ok {
			return v, true
		}
		return t.HourlyUSD[OnDemand], true
	}
	rate, ok := c.Dedicated.Fallback[opt]
	if !ok {
		rate = c.Dedicated.Fallback[OnDemand]
	}
	return float64(max(cpuMilli, 0))/1000*rate.VCPUHourUSD + float64(max(memoryBytes, 0))/(1<<30)*rate.GiBHourUSD, false
}
