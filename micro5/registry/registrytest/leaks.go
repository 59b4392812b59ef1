package registrytest

import "go.uber.org/goleak"

// GoMicroGoroutines returns goleak options that ignore the goroutines
// go-micro starts when its packages are imported (a config watcher and its
// loader, go-cache janitors): they never end, and some start a moment after
// init, so a baseline taken in TestMain can miss them.
//
//	func TestMain(m *testing.M) {
//		goleak.VerifyTestMain(m, append(registrytest.GoMicroGoroutines(), goleak.IgnoreCurrent())...)
//	}
func GoMicroGoroutines() []goleak.Option {
	return []goleak.Option{
		goleak.IgnoreAnyFunction("go-micro.dev/v5/config.(*config).run"),
		goleak.IgnoreAnyFunction("go-micro.dev/v5/config.(*config).run.func1"),
		goleak.IgnoreAnyFunction("go-micro.dev/v5/config.(*config).run.func2"),
		goleak.IgnoreAnyFunction("go-micro.dev/v5/config/loader/memory.(*memory).Watch.func1"),
		goleak.IgnoreAnyFunction("go-micro.dev/v5/config/loader/memory.(*memory).watch"),
		goleak.IgnoreAnyFunction("github.com/patrickmn/go-cache.(*janitor).Run"),
	}
}
