package bench

import (
	"os"
	"testing"

	"go-micro.dev/v4/logger"
)

func TestMain(m *testing.M) {
	// The rivals log every join and registration at info level, which would
	// split benchmark result lines.
	logger.DefaultLogger = logger.NewLogger(logger.WithLevel(logger.FatalLevel)) // its default logger prints to stdout whatever Out says
	logger.DefaultHelper = logger.NewHelper(logger.DefaultLogger)
	os.Exit(m.Run())
}
