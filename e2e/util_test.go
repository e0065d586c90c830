package e2e

import (
	"encoding/base64"
	"time"
)

func encodeBase64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func sleep() { time.Sleep(20 * time.Millisecond) }
