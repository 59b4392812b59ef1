package registry

// ApplyRegister applies opts and returns them, or the error of their
// Context if it is already done: what every backend's Register starts with.
func ApplyRegister(opts ...RegisterOption) (RegisterOptions, error) {
	var o RegisterOptions
	for _, opt := range opts {
		opt(&o)
	}
	return o, CheckContext(o.Context)
}

// ApplyDeregister is ApplyRegister for Deregister.
func ApplyDeregister(opts ...DeregisterOption) (DeregisterOptions, error) {
	var o DeregisterOptions
	for _, opt := range opts {
		opt(&o)
	}
	return o, CheckContext(o.Context)
}

// ApplyGet is ApplyRegister for GetService.
func ApplyGet(opts ...GetOption) (GetOptions, error) {
	var o GetOptions
	for _, opt := range opts {
		opt(&o)
	}
	return o, CheckContext(o.Context)
}

// ApplyList is ApplyRegister for ListServices.
func ApplyList(opts ...ListOption) (ListOptions, error) {
	var o ListOptions
	for _, opt := range opts {
		opt(&o)
	}
	return o, CheckContext(o.Context)
}

// ApplyWatch is ApplyRegister for Watch.
func ApplyWatch(opts ...WatchOption) (WatchOptions, error) {
	var o WatchOptions
	for _, opt := range opts {
		opt(&o)
	}
	return o, CheckContext(o.Context)
}
