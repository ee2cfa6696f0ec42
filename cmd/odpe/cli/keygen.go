package cli

import (
	"fmt"

	"github.com/odpe/odpe/pipelines/extract/pseudonym"
)

func runKeygen(e *env, args []string) int {
	if len(args) != 1 {
		fmt.Fprintln(e.stderr, "usage: odpe keygen FILE")
		return ExitError
	}
	if err := pseudonym.Generate(args[0]); err != nil {
		return e.fail(err)
	}
	fmt.Fprintf(e.stdout, "New pseudonymisation key written to %s (mode 600). Keep it outside the warehouse and back it up: pseudonyms cannot be matched without it.\n", args[0])
	return ExitOK
}
