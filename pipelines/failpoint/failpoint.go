// Package failpoint lets the crash tests stop a refresh at a named point:
// when the environment variable ODPE_FAILPOINT names the point, Hit writes
// the file named by ODPE_FAILPOINT_READY (so the test knows the process got
// there) and blocks until the process is killed. Unset, Hit does nothing.
// Fail makes a point fail instead, as a full disk would.
package failpoint

import (
	"context"
	"os"
	"strings"
	"syscall"
	"time"
)

// Points where a refresh can be stopped.
const (
	DuringLoad       = "during-load"       // after a batch of files is loaded, before it is committed
	DuringIndicators = "during-indicators" // indicators computed, checks not yet run
	BeforeSwap       = "before-swap"       // new version closed, link not yet moved
	BeforePublish    = "before-publish"    // new version current, its exports not yet published
	DiskFull         = "disk-full"         // Fail: copying the current version finds the disk full
	SlowLoad         = "slow-load"         // Wait: a file takes until the refresh is cancelled to read
)

// Wait blocks until ctx is done if name is the armed failpoint (writing
// the ready file first), and returns ctx's error; nil at once otherwise.
// When ODPE_FAILPOINT_MATCH is set, only a subject (a file name) holding
// it waits.
func Wait(ctx context.Context, name, subject string) error {
	if os.Getenv("ODPE_FAILPOINT") != name {
		return nil
	}
	if m := os.Getenv("ODPE_FAILPOINT_MATCH"); m != "" && !strings.Contains(subject, m) {
		return nil
	}
	if ready := os.Getenv("ODPE_FAILPOINT_READY"); ready != "" {
		_ = os.WriteFile(ready, []byte(name), 0o644)
	}
	<-ctx.Done()
	return ctx.Err()
}

// Fail returns an error standing for a full disk if name is the armed
// failpoint, nil otherwise.
func Fail(name string) error {
	if os.Getenv("ODPE_FAILPOINT") != name {
		return nil
	}
	return &os.PathError{Op: "write", Path: name, Err: syscall.ENOSPC}
}

// Hit blocks forever if name is the armed failpoint.
func Hit(name string) {
	if os.Getenv("ODPE_FAILPOINT") != name {
		return
	}
	if ready := os.Getenv("ODPE_FAILPOINT_READY"); ready != "" {
		_ = os.WriteFile(ready, []byte(name), 0o644)
	}
	for {
		time.Sleep(time.Hour)
	}
}
