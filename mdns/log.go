package mdns

import (
	"io"
	"log"

	"go-micro.dev/v4/logger"
)

const logWarn = logger.WarnLevel

// quietLogger silences hashicorp/mdns's own logging.
var quietLogger = log.New(io.Discard, "", 0)
