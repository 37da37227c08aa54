package testserver

// Launch starts a private server outside of a test (for `make demo` and
// benchmarks of the whole app). The caller must Stop it.
func Launch(kind Kind, opts Options) (*Server, error) {
	if _, err := binary(kind); err != nil {
		return nil, err
	}
	return start(kind, opts)
}

// Register creates an account on the server (in-band registration).
func (s *Server) Register(user, password string) error { return s.createUser(user, password) }
