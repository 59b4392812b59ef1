package engine

import "context"

// applyCall applies the options of one call and returns them, or the
// error of their Context if it is already done: what every backend's
// Register, Deregister, GetService, ListServices and Watch start with. A
// call without options allocates nothing.
func applyCall[O any, F ~func(*O)](opts []F, ctx func(*O) context.Context) (O, error) {
	if len(opts) == 0 {
		var zero O
		return zero, nil
	}
	o := new(O)
	for _, opt := range opts {
		if opt != nil {
			opt(o)
		}
	}
	return *o, checkContext(ctx(o))
}

// ApplyRegister applies the options of a Register call (see applyCall).
func ApplyRegister(opts ...RegisterOption) (RegisterOptions, error) {
	return applyCall(opts, func(o *RegisterOptions) context.Context { return o.Context })
}

// ApplyDeregister applies the options of a Deregister call.
func ApplyDeregister(opts ...DeregisterOption) (DeregisterOptions, error) {
	return applyCall(opts, func(o *DeregisterOptions) context.Context { return o.Context })
}

// ApplyGet applies the options of a GetService call.
func ApplyGet(opts ...GetOption) (GetOptions, error) {
	return applyCall(opts, func(o *GetOptions) context.Context { return o.Context })
}

// ApplyList applies the options of a ListServices call.
func ApplyList(opts ...ListOption) (ListOptions, error) {
	return applyCall(opts, func(o *ListOptions) context.Context { return o.Context })
}

// ApplyWatch applies the options of a Watch call.
func ApplyWatch(opts ...WatchOption) (WatchOptions, error) {
	return applyCall(opts, func(o *WatchOptions) context.Context { return o.Context })
}

// checkContext returns ctx's error if ctx is already done, so a call made
// with a cancelled context changes nothing. A nil ctx is never done.
func checkContext(ctx context.Context) error {
	if ctx == nil {
		return nil
	}
	return ctx.Err()
}
