// Package cli is the odpe command line, as a function that tests can call:
// Run(ctx, args, stdin, stdout, stderr) returns the exit code.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"syscall"

	"gopkg.in/yaml.v3"

	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/pipelines/extract"
	"github.com/odpe/odpe/pipelines/refresh"
	"github.com/odpe/odpe/pipelines/schedule"

	_ "github.com/odpe/odpe/pipelines/all" // every extract job kind
	"github.com/odpe/odpe/pipelines/export"
	_ "github.com/odpe/odpe/pipelines/export/all" // every export format
)

// Exit codes, documented in the README.
const (
	ExitOK       = 0
	ExitError    = 1 // usage, configuration or warehouse error
	ExitPartial  = 3 // some files rejected, the rest loaded
	ExitFailed   = 4 // refresh failed, the previous warehouse is kept
	ExitNotFound = 5 // `sql`: the query failed
)

type env struct {
	ctx        context.Context
	stdin      io.Reader
	stdout     io.Writer
	stderr     io.Writer
	configPath string
	log        *slog.Logger
}

type command struct {
	name    string
	usage   string
	summary string
	run     func(e *env, args []string) int
}

func commands() []command {
	return []command{
		{"demo", "demo [--scale small|departement|national] [--seed N] [DIR]", "write a demo source tree and config into DIR (./odpe-demo), then refresh it", runDemo},
		{"refresh", "refresh [--force] [--rekey]", "run every extract job, the indicators and the exports, as one unit", runRefresh},
		{"run", "run JOB…", "run some extract jobs (then the indicators and exports)", runJobs},
		{"status", "status", "what is loaded per source, and the last refresh", runStatus},
		{"sql", "sql [--format table|csv|json] [QUERY]", "query the current warehouse read-only (a prompt without QUERY)", runSQL},
		{"indicators", "indicators [show ID]", "list the indicator catalogue, or show one declaration and its latest values", runIndicators},
		{"export", "export [PROFILE…]", "write export profiles from the current warehouse", runExport},
		{"report", "report [--profile P] [--year N] [--pdf] DIR", "write the observatory's annual report (HTML pages, PDF with --pdf)", runReport},
		{"docs", "docs [DIR]", "write the data dictionary (Markdown and HTML)", runDocs},
		{"runs", "runs [show ID]", "recent runs, or one run with every error", runRuns},
		{"schedule", "schedule [--serve]", "run the jobs on their cron schedules, in the foreground (--serve: and odpe serve)", runSchedule},
		{"keygen", "keygen FILE", "write a new pseudonymisation key (mode 600)", runKeygen},
		{"transmissions", "transmissions [PROFILE] | verify ZIP | pack", "list the transmission packages sent (verify: check one against its manifest)", runTransmissions},
		{"purge", "purge", "remove the copies of rejected files older than rejected_retention", runPurge},
		{"serve", "serve", "serve the warehouse over the PostgreSQL protocol (serve: in the configuration)", runServe},
		{"passwd", "passwd [--role statistician|partner] USER", "write a user's SCRAM-SHA-256 verifier for `odpe serve`", runPasswd},
	}
}

// Run runs the odpe command with args (without the program name).
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	// Nothing odpe writes (warehouse versions, DuckDB's WAL and temporary
	// files, exports, copies of rejected files) is readable by others;
	// the readers' group reads through the folders' group (readers_group).
	syscall.Umask(0o027)
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, log: newLogger(stderr)}
	refresh.LimitMemory()
	global := flag.NewFlagSet("odpe", flag.ContinueOnError)
	global.SetOutput(stderr)
	global.StringVar(&e.configPath, "config", configs.DefaultPath, "configuration file")
	global.Usage = func() { usage(stderr) }
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitError
	}
	rest := global.Args()
	if len(rest) == 0 || rest[0] == "help" || rest[0] == "-h" {
		usage(stdout)
		return ExitOK
	}
	for _, c := range commands() {
		if c.name == rest[0] {
			return c.run(e, rest[1:])
		}
	}
	fmt.Fprintf(stderr, "odpe: unknown command %q\n", rest[0])
	usage(stderr)
	return ExitError
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: odpe [--config FILE] COMMAND [ARGS]")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-44s %s\n", c.usage, c.summary)
	}
	fmt.Fprintf(w, "\n--config defaults to %s. Exit codes: 0 ok, 1 error, 3 some files rejected, 4 refresh failed (previous warehouse kept).\n", configs.DefaultPath)
}

// flags returns a FlagSet for a subcommand that reports to stderr.
func (e *env) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("odpe "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// config loads and validates the configuration.
func (e *env) config() (*configs.Config, error) {
	return configs.Load(e.configPath, Validators())
}

// Validators check job kinds, their options and cron specs.
func Validators() configs.Validators {
	return configs.Validators{
		Kind: func(kind string, options *yaml.Node) error {
			k, ok := extract.Lookup(kind)
			if !ok {
				var names []string
				for _, k := range extract.Kinds() {
					names = append(names, k.Name)
				}
				sort.Strings(names)
				return fmt.Errorf("unknown kind %q: expected one of %s", kind, strings.Join(names, ", "))
			}
			if _, err := k.New(configs.Options{Node: options}); err != nil {
				return fmt.Errorf("options: %w", err)
			}
			return nil
		},
		Spec:    schedule.ValidateSpec,
		Formats: export.Names(),
	}
}

// fail prints an error and returns the exit code for it.
func (e *env) fail(err error) int {
	fmt.Fprintf(e.stderr, "odpe: %v\n", err)
	return ExitError
}

// newLogger logs text to a terminal and JSON otherwise.
func newLogger(w io.Writer) *slog.Logger {
	if isTerminal(w) {
		return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
