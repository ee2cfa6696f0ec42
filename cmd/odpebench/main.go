// Command odpebench measures a full refresh at a chosen scale: see
// package bench and the README's "Benchmarks" section.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/odpe/odpe/cmd/odpebench/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := bench.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
