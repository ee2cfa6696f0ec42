// Package sandbox runs people's SQL on the warehouse, read-only and walled
// in: the one session `odpe sql` and `odpe serve` share.
//
// Each version of the warehouse gets its own in-memory DuckDB instance that
// attaches the version's file read-only as catalog "odpe" (the default
// one), then, in the order DuckDB requires, limits file access to the
// export folders (allowed_directories), turns external access off and
// locks the configuration. An in-memory instance is never shared through
// duckdb-go's instance cache, so the locked settings never reach another
// reader of the same file in the process (a refresh's own read of the
// current version, `odpe status`…).
//
// A query takes a Lease on the version current when it starts (the
// warehouse path is a link, see pipelines/warehouse): after a refresh the
// next lease opens the new version, and the old instance is closed when its
// last lease ends. Nothing here ever takes the refresh lock, so a refresh
// never waits for a query and a query never sees half a refresh.
//
// Statements are split outside DuckDB (the driver would run every statement
// of a script but the last while preparing it), then each is prepared alone
// and judged by the statement type DuckDB's parser gives before it runs:
// only reading statements pass (see check).
package sandbox

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// Catalog is the name the warehouse is attached under.
const Catalog = "odpe"

// Config describes the sessions of a Sandbox.
type Config struct {
	// Warehouse is the link to the current version. With NoWarehouse the
	// link is still followed (an instance per version) but not attached.
	Warehouse   string
	NoWarehouse bool
	// AllowedDirs are the only folders file functions may read
	// (read_parquet of the export folders).
	AllowedDirs []string
	// Setup, if set, prepares each new instance before it is locked (views
	// over the export files for partners). It runs with file access open.
	Setup func(ctx context.Context, c *sql.Conn) error

	MemoryLimit      string        // DuckDB memory_limit of each instance ("2GB")
	Threads          int           // DuckDB threads of each instance
	StatementTimeout time.Duration // 0: none
	TempDir          string        // spill folder; a private temporary folder if empty
}

// Sandbox hands out leases on the current warehouse version.
type Sandbox struct {
	cfg     Config
	tmp     string
	ownTmp  bool
	mu      sync.Mutex
	cur     *instance
	closed  bool
	opening sync.Mutex // one instance opened at a time
}

// instance is one DuckDB instance on one version.
type instance struct {
	version string // the version file ("" without warehouse and link)
	db      *sql.DB
	refs    int
	stale   bool // a newer version is current: close at the last release
}

// New returns a sandbox; instances are opened on first use.
func New(cfg Config) (*Sandbox, error) {
	s := &Sandbox{cfg: cfg, tmp: cfg.TempDir}
	if s.tmp == "" {
		d, err := os.MkdirTemp("", "odpe-sql-")
		if err != nil {
			return nil, fmt.Errorf("sandbox temporary folder: %w", err)
		}
		s.tmp, s.ownTmp = d, true
	}
	return s, nil
}

// Close closes every instance not leased; leased ones close at release.
func (s *Sandbox) Close() error {
	s.mu.Lock()
	s.closed = true
	cur := s.cur
	s.cur = nil
	var err error
	if cur != nil {
		cur.stale = true
		if cur.refs == 0 {
			err = cur.db.Close()
		}
	}
	s.mu.Unlock()
	if s.ownTmp {
		os.RemoveAll(s.tmp)
	}
	return err
}

// ErrClosed is returned by Acquire after Close.
var ErrClosed = errors.New("sandbox closed")

// Acquire leases a connection on the version current now.
func (s *Sandbox) Acquire(ctx context.Context) (*Lease, error) {
	for attempt := 0; ; attempt++ {
		version, err := s.current()
		if err != nil {
			return nil, err
		}
		inst, err := s.instanceFor(ctx, version)
		if err != nil {
			// The version may have been removed by two refreshes between
			// reading the link and attaching it: read the link again.
			if attempt < 3 && !errors.Is(err, ErrClosed) && ctx.Err() == nil {
				if v2, _ := s.current(); v2 != version {
					continue
				}
			}
			return nil, err
		}
		conn, err := inst.db.Conn(ctx)
		if err != nil {
			s.release(inst)
			return nil, fmt.Errorf("sandbox connection: %w", err)
		}
		var dc *duckdb.Conn
		if err := conn.Raw(func(c any) error {
			var ok bool
			dc, ok = c.(*duckdb.Conn)
			if !ok {
				return fmt.Errorf("unexpected driver connection %T", c)
			}
			return nil
		}); err != nil {
			conn.Close()
			s.release(inst)
			return nil, err
		}
		return &Lease{s: s, inst: inst, Conn: conn, dc: dc, Version: version}, nil
	}
}

// current resolves the warehouse link.
func (s *Sandbox) current() (string, error) {
	if s.cfg.Warehouse == "" {
		return "", nil
	}
	v, err := filepath.EvalSymlinks(s.cfg.Warehouse)
	if errors.Is(err, os.ErrNotExist) {
		if s.cfg.NoWarehouse {
			return "", nil
		}
		return "", errors.New("no warehouse yet: run `odpe refresh` (or `odpe demo`) first")
	}
	if err != nil {
		return "", fmt.Errorf("resolve warehouse: %w", err)
	}
	return v, nil
}

// instanceFor returns the instance on version, opening it if it is not the
// current one, with one more reference.
func (s *Sandbox) instanceFor(ctx context.Context, version string) (*instance, error) {
	if inst := s.ref(version); inst != nil {
		return inst, nil
	}
	s.opening.Lock()
	defer s.opening.Unlock()
	if inst := s.ref(version); inst != nil {
		return inst, nil
	}
	db, err := s.open(ctx, version)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		db.Close()
		return nil, ErrClosed
	}
	old := s.cur
	if old != nil && versionNewer(old.version, version) {
		// A later version became current while this one opened: use it
		// anyway for this query (it was current when the query started).
		inst := &instance{version: version, db: db, refs: 1, stale: true}
		return inst, nil
	}
	inst := &instance{version: version, db: db, refs: 1}
	s.cur = inst
	if old != nil {
		old.stale = true
		if old.refs == 0 {
			old.db.Close()
		}
	}
	return inst, nil
}

func versionNewer(a, b string) bool {
	return a != b && filepath.Base(a) > filepath.Base(b) && len(a) == len(b)
}

func (s *Sandbox) ref(version string) *instance {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur != nil && s.cur.version == version && !s.closed {
		s.cur.refs++
		return s.cur
	}
	return nil
}

func (s *Sandbox) release(inst *instance) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst.refs--
	if inst.refs == 0 && inst.stale {
		inst.db.Close()
	}
}

// open makes a locked instance on a version.
func (s *Sandbox) open(ctx context.Context, version string) (*sql.DB, error) {
	var attached atomic.Bool
	connector, err := duckdb.NewConnector("", func(ex driver.ExecerContext) error {
		if attached.Load() {
			_, err := ex.ExecContext(context.Background(), "USE "+Catalog, nil)
			return err
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	db := sql.OpenDB(connector)
	ok := false
	defer func() {
		if !ok {
			db.Close()
		}
	}()
	c, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	defer c.Close()
	exec := func(q string) error {
		if _, err := c.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("sandbox: %s: %w", q, err)
		}
		return nil
	}
	var stmts []string
	if s.cfg.MemoryLimit != "" {
		stmts = append(stmts, "SET memory_limit = "+quote(s.cfg.MemoryLimit))
	}
	if s.cfg.Threads > 0 {
		stmts = append(stmts, fmt.Sprintf("SET threads = %d", s.cfg.Threads))
	}
	stmts = append(stmts, "SET temp_directory = "+quote(s.tmp))
	if version != "" && !s.cfg.NoWarehouse {
		stmts = append(stmts, fmt.Sprintf("ATTACH %s AS %s (READ_ONLY)", quote(version), Catalog), "USE "+Catalog)
	}
	for _, q := range stmts {
		if err := exec(q); err != nil {
			return nil, err
		}
	}
	if version != "" && !s.cfg.NoWarehouse {
		attached.Store(true)
	}
	if s.cfg.Setup != nil {
		if err := s.cfg.Setup(ctx, c); err != nil {
			return nil, fmt.Errorf("sandbox setup: %w", err)
		}
	}
	dirs := make([]string, 0, len(s.cfg.AllowedDirs))
	for _, d := range s.cfg.AllowedDirs {
		dirs = append(dirs, quote(strings.TrimSuffix(d, "/")+"/"))
	}
	// The order matters (checked on DuckDB 1.5.6): the allowed folders,
	// then external access off, then the lock.
	for _, q := range []string{
		"SET allowed_directories = [" + strings.Join(dirs, ", ") + "]",
		"SET enable_external_access = false",
		"SET lock_configuration = true",
	} {
		if err := exec(q); err != nil {
			return nil, err
		}
	}
	ok = true
	return db, nil
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Lease is one connection on one version, for one query or one
// transaction. Not safe for concurrent use.
type Lease struct {
	s       *Sandbox
	inst    *instance
	Conn    *sql.Conn
	dc      *duckdb.Conn
	Version string // the version file it reads
	done    bool
	dirty   bool // a SET or USE ran: undone before the connection goes back
}

// Release returns the connection; the version's instance closes when its
// last lease is released after a newer version became current.
func (l *Lease) Release() {
	if l.done {
		return
	}
	l.done = true
	if l.dirty {
		// The connection returns to a pool other sessions draw from.
		home := "memory.main"
		if !l.s.cfg.NoWarehouse && l.Version != "" {
			home = Catalog + ".main"
		}
		ctx := context.Background()
		// In this order: RESET also puts the default catalog back to memory.
		l.Conn.ExecContext(ctx, "RESET search_path")
		l.Conn.ExecContext(ctx, "USE "+home)
	}
	l.Conn.Close()
	l.s.release(l.inst)
}

// Timeout returns the configured statement timeout.
func (s *Sandbox) Timeout() time.Duration { return s.cfg.StatementTimeout }

// WithTimeout bounds ctx by the statement timeout.
func (s *Sandbox) WithTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.cfg.StatementTimeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, s.cfg.StatementTimeout)
}
