package promhistory

// Healthy reports whether the last refresh round that queried anything
// succeeded for every owner it queried (true before the first round).
func (s *Source) Healthy() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.failing
}
