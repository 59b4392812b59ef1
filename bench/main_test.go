package bench

import (
	"fmt"
	"os"
	"testing"

	"go-micro.dev/v4/logger"
)

func TestMain(m *testing.M) {
	if seed := os.Getenv(flooderEnv); seed != "" {
		if err := flood(seed, floodCounts()[0]); err != nil {
			fmt.Fprintln(os.Stderr, "flooder:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	// The rivals log every join and registration at info level, which would
	// split benchmark result lines.
	logger.DefaultLogger = logger.NewLogger(logger.WithLevel(logger.FatalLevel)) // its default logger prints to stdout whatever Out says
	logger.DefaultHelper = logger.NewHelper(logger.DefaultLogger)
	os.Exit(m.Run())
}
