package cli

import (
	"fmt"
	"time"

	"github.com/odpe/odpe/pipelines/refresh"
)

func runPurge(e *env, args []string) int {
	if len(args) > 0 {
		fmt.Fprintln(e.stderr, "usage: odpe purge")
		return ExitError
	}
	cfg, err := e.config()
	if err != nil {
		return e.fail(err)
	}
	n, err := refresh.PurgeRejected(cfg, time.Now())
	if err != nil {
		return e.fail(err)
	}
	fmt.Fprintf(e.stdout, "%d copy(ies) of rejected files older than %s removed from %s.\n", n, days(cfg.RejectedRetention), refresh.RejectedDir(cfg))
	return ExitOK
}

// days writes a retention in days when it is whole days.
func days(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}
