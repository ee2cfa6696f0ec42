// Package configs reads and validates the observatory's configuration file
// (configs/odpe.yaml and the files `odpe demo` writes). Every path in it may
// be relative to the file; every error names the key and its line.
package configs

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/odpe/odpe/indicators"
	"github.com/odpe/odpe/pipelines/serve/scram"
)

// DefaultPath is where the command looks when --config is not given.
const DefaultPath = "configs/odpe.yaml"

// Config is the whole configuration.
type Config struct {
	Path        string   // the file it was read from (absolute)
	Departement string   // default COG code for every job
	Warehouse   string   // path readers open: a symlink to the current version
	KeyFile     string   // pseudonymisation key (never in the warehouse)
	Territories string   // territory mapping file
	Indicators  []string // extra folders of indicator declarations
	ExportsDir  string   // where profiles write their files
	DuckDB      DuckDB
	Jobs        []Job
	Exports     []Export
	Scheduler   Scheduler
	// ReadersGroup is the group that may read the warehouse, its versions
	// and data/ (files 0640, folders 0750); "" keeps the group the files
	// are created with.
	ReadersGroup string
	// RejectedRetention is how long copies of rejected files are kept
	// under data/rejected (30 days unless set).
	RejectedRetention time.Duration
	SQL               SQL   // sessions of `odpe sql` and `odpe serve`
	Serve             Serve // `odpe serve`
}

// SQL bounds every session of people's SQL (`odpe sql`, `odpe serve`):
// each runs in pipelines/sandbox, read-only, with these limits.
type SQL struct {
	MemoryLimit      string        `yaml:"memory_limit"`      // DuckDB memory_limit of a session's instance (default 2GB)
	Threads          int           `yaml:"threads"`           // default: duckdb.threads
	StatementTimeout time.Duration `yaml:"statement_timeout"` // default 10m; 0 in the file means the default
}

// Roles of `odpe serve` users.
const (
	RoleStatistician = "statistician" // the whole warehouse, read-only
	RolePartner      = "partner"      // only the external profiles' published (protected) Parquet files
)

// Serve configures `odpe serve`: the warehouse over the PostgreSQL protocol.
type Serve struct {
	Listen []string `yaml:"listen"` // host:port, e.g. 127.0.0.1:5433; several allowed
	// TLS certificate and key (PEM). Required when a listener is not a
	// loopback address.
	TLSCert string `yaml:"tls_cert"`
	TLSKey  string `yaml:"tls_key"`
	// HTTPListen is the HTTP listener of the annual report (host:port;
	// none when empty): the same users, HTTP Basic; TLS as for Listen.
	HTTPListen       string          `yaml:"http_listen"`
	StatementTimeout time.Duration   `yaml:"statement_timeout"` // default: sql.statement_timeout
	MemoryLimit      string          `yaml:"memory_limit"`      // default: sql.memory_limit
	MaxRows          int64           `yaml:"max_rows"`          // rows per result; default 5,000,000
	MaxConnections   int             `yaml:"max_connections"`   // default 64
	AuthDelay        time.Duration   `yaml:"auth_delay"`        // pause after a failed login, doubled per failure from an address (default 1s, max 30s)
	Users            map[string]User `yaml:"users"`
	Line             int             `yaml:"-"`
}

// User is one `odpe serve` login: no password, only its SCRAM-SHA-256
// verifier (`odpe passwd USER` writes it).
type User struct {
	Role  string `yaml:"role"`
	SCRAM string `yaml:"scram"`
}

// DuckDB holds the engine settings, set explicitly (STACK.md).
type DuckDB struct {
	MemoryLimit string `yaml:"memory_limit"`
	Threads     int    `yaml:"threads"`
}

// Job is one extract job: a kind of source read from a folder.
type Job struct {
	Name        string
	Kind        string    `yaml:"kind"`
	Source      string    `yaml:"source"`      // folder (or glob)
	Pattern     string    `yaml:"pattern"`     // file pattern in the folder; the kind's default if empty
	Departement string    `yaml:"departement"` // COG code, or "{folder}" for the file's parent folder name
	Schedule    string    `yaml:"schedule"`    // cron spec (Europe/Paris)
	Options     yaml.Node `yaml:"options"`     // the kind's own settings
	Line        int       `yaml:"-"`
}

// Export is one export profile.
type Export struct {
	Name        string
	Title       string   `yaml:"title"`
	Audience    string   `yaml:"audience"` // internal | external
	Formats     []string `yaml:"formats"`  // parquet, xlsx, sdmx, feather
	Layout      string   `yaml:"layout"`   // xlsx layout: observatoire | drees
	Indicators  []string `yaml:"indicators"`
	Threshold   int      `yaml:"threshold"`
	StructureID string   `yaml:"structure_id"`
	// Breakdowns the profile carries, among Breakdowns: a row is published
	// only if it holds the total ("Ensemble") of every other one. All of
	// them when absent from the file (and when nil, for a profile built in
	// code); an empty list carries the département's totals only.
	Breakdowns []string `yaml:"breakdowns"`
	// XLSXBreakdowns narrows the profile's Excel workbook only (the other
	// formats carry Breakdowns): a subset of Breakdowns, the same when
	// absent (or nil).
	XLSXBreakdowns []string `yaml:"xlsx_breakdowns"`
	Line           int      `yaml:"-"`
}

// ReservedExportNames are folders of exports_dir that are not profiles:
// the archive of transmission packages and the data dictionary.
var ReservedExportNames = []string{"transmissions", "dictionnaire"}

// profileName checks that a profile's name can name its folder (and link)
// in exports_dir without meeting another one.
func (p *parser) profileName(name, key string) {
	p.require(name != "" && !strings.HasPrefix(name, ".") && !strings.ContainsAny(name, `/\`), key,
		"a profile's name names its folder: no leading dot, no slash")
	p.require(!contains(ReservedExportNames, name), key,
		fmt.Sprintf("%q is reserved (a folder of exports_dir that is not a profile: %s)", name, strings.Join(ReservedExportNames, ", ")))
}

// Scheduler configures `odpe schedule`.
type Scheduler struct {
	OnFailure   string        `yaml:"on_failure"`   // shell command fed the run summary on stdin
	GracePeriod time.Duration `yaml:"grace_period"` // time a running refresh may finish after SIGTERM
	QuietPeriod time.Duration `yaml:"quiet_period"` // a file changed more recently is not read yet
	Retry       Retry         `yaml:"retry"`
}

// Retry is the backoff for transient failures.
type Retry struct {
	Attempts int           `yaml:"attempts"`
	Initial  time.Duration `yaml:"initial"`
	Max      time.Duration `yaml:"max"`
}

// Breakdowns a profile may carry: the territory and the indicators'
// dimensions, in display order.
var Breakdowns = append([]string{"territory"}, indicators.Dimensions...)

// KindValidator reports whether a job kind exists and checks its options;
// SpecValidator checks a cron spec. They are passed in so that this package
// does not depend on the extract jobs or the scheduler (nor the export
// formats: Validators.Formats).
type (
	KindValidator func(kind string, options *yaml.Node) error
	SpecValidator func(spec string) error
)

// Validators are the checks Load applies beyond the file's structure.
type Validators struct {
	Kind KindValidator
	Spec SpecValidator
	// Formats are the export formats a profile may name: those
	// registered (export.Names, once pipelines/export/all is imported).
	// Nil: formats are not checked.
	Formats []string
}

// file mirrors the YAML layout; unknown keys are errors.
type file struct {
	Departement string    `yaml:"departement"`
	Warehouse   string    `yaml:"warehouse"`
	KeyFile     string    `yaml:"key_file"`
	Territories string    `yaml:"territories"`
	Indicators  []string  `yaml:"indicators"`
	ExportsDir  string    `yaml:"exports_dir"`
	DuckDB      DuckDB    `yaml:"duckdb"`
	Jobs        yaml.Node `yaml:"jobs"`
	Exports     yaml.Node `yaml:"exports"`
	Scheduler   Scheduler `yaml:"scheduler"`

	ReadersGroup      string `yaml:"readers_group"`
	RejectedRetention string `yaml:"rejected_retention"`

	SQL   SQL   `yaml:"sql"`
	Serve Serve `yaml:"serve"`
}

// Error is a configuration error at a key of the file.
type Error struct {
	File string
	Line int
	Key  string
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Key, e.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", e.File, e.Key, e.Msg)
}

// Load reads, resolves and validates a configuration file.
func Load(path string, v Validators) (*Config, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	return Parse(abs, data, v)
}

// Parse validates configuration text read from path.
func Parse(path string, data []byte, v Validators) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c := &Config{
		Path:        path,
		Departement: f.Departement,
		DuckDB:      f.DuckDB,
		Scheduler:   f.Scheduler,
		SQL:         f.SQL,
		Serve:       f.Serve,
	}
	p := parser{cfg: c, root: &root, dir: filepath.Dir(path)}
	c.Warehouse = p.path(f.Warehouse, "warehouse", false)
	c.KeyFile = p.path(f.KeyFile, "key_file", false)
	c.Territories = p.path(f.Territories, "territories", true)
	c.ExportsDir = p.path(f.ExportsDir, "exports_dir", false)
	for i, dir := range f.Indicators {
		c.Indicators = append(c.Indicators, p.path(dir, fmt.Sprintf("indicators[%d]", i), true))
	}
	p.require(c.Warehouse != "", "warehouse", "is required")
	p.require(validCOG(c.Departement), "departement", fmt.Sprintf("%q is not a département COG code (\"62\", \"2A\", \"974\")", c.Departement))
	if c.ExportsDir == "" {
		c.ExportsDir = filepath.Join(filepath.Dir(c.Warehouse), "exports")
	}
	if c.DuckDB.Threads == 0 {
		c.DuckDB.Threads = 2
	}
	if c.DuckDB.MemoryLimit == "" {
		c.DuckDB.MemoryLimit = "4GB"
	}
	if c.Scheduler.QuietPeriod == 0 {
		c.Scheduler.QuietPeriod = time.Minute
	}
	if c.Scheduler.Retry.Attempts == 0 {
		c.Scheduler.Retry = Retry{Attempts: 4, Initial: 30 * time.Second, Max: 10 * time.Minute}
	}
	c.ReadersGroup = f.ReadersGroup
	if c.ReadersGroup != "" {
		_, err := user.LookupGroup(c.ReadersGroup)
		if _, nerr := strconv.Atoi(c.ReadersGroup); err != nil && nerr != nil {
			p.fail("readers_group", fmt.Sprintf("no group %q on this machine", c.ReadersGroup))
		}
	}
	c.RejectedRetention = 30 * 24 * time.Hour
	if f.RejectedRetention != "" {
		d, err := parseDays(f.RejectedRetention)
		p.require(err == nil && d > 0, "rejected_retention", fmt.Sprintf("%q is not a duration (\"30d\", \"72h\")", f.RejectedRetention))
		c.RejectedRetention = d
	}
	p.jobs(&f.Jobs, v)
	p.exports(&f.Exports, v.Formats)
	p.sqlAndServe()
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return c, nil
}

type parser struct {
	cfg  *Config
	root *yaml.Node
	dir  string
	errs []error
}

func (p *parser) fail(key, msg string) {
	p.errs = append(p.errs, &Error{File: p.cfg.Path, Line: lineOf(p.root, strings.Split(key, ".")...), Key: key, Msg: msg})
}

func (p *parser) require(ok bool, key, msg string) {
	if !ok {
		p.fail(key, msg)
	}
}

// path resolves a path relative to the configuration file; when mustExist,
// a missing file or folder is an error.
func (p *parser) path(s, key string, mustExist bool) string {
	if s == "" {
		return ""
	}
	if !filepath.IsAbs(s) {
		s = filepath.Join(p.dir, s)
	}
	if mustExist {
		if _, err := os.Stat(s); err != nil {
			p.fail(key, fmt.Sprintf("%s does not exist", s))
		}
	}
	return s
}

func (p *parser) jobs(n *yaml.Node, v Validators) {
	if n.Kind == 0 {
		p.fail("jobs", "is required: at least one extract job")
		return
	}
	if n.Kind != yaml.MappingNode {
		p.fail("jobs", "must be a mapping of job name to job settings")
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		name, body := n.Content[i].Value, n.Content[i+1]
		key := "jobs." + name
		j := Job{Name: name, Line: n.Content[i].Line}
		if err := decodeStrict(body, &j); err != nil {
			p.errs = append(p.errs, &Error{File: p.cfg.Path, Line: body.Line, Key: key, Msg: err.Error()})
			continue
		}
		j.Name, j.Line = name, n.Content[i].Line
		if j.Departement == "" {
			j.Departement = p.cfg.Departement
		}
		p.require(j.Departement == "{folder}" || validCOG(j.Departement), key+".departement",
			fmt.Sprintf("%q is not a département COG code nor {folder}", j.Departement))
		p.require(j.Kind != "", key+".kind", "is required")
		if j.Kind != "" && v.Kind != nil {
			if err := v.Kind(j.Kind, &j.Options); err != nil {
				p.fail(key+".kind", err.Error())
			}
		}
		p.require(j.Source != "", key+".source", "is required")
		j.Source = p.sourcePath(j.Source, key+".source")
		if j.Schedule != "" && v.Spec != nil {
			if err := v.Spec(j.Schedule); err != nil {
				p.fail(key+".schedule", fmt.Sprintf("bad cron spec %q: %v", j.Schedule, err))
			}
		}
		p.cfg.Jobs = append(p.cfg.Jobs, j)
	}
}

// sourcePath resolves a job's source: a folder that must exist, or a glob
// whose folder must exist.
func (p *parser) sourcePath(s, key string) string {
	if s == "" {
		return ""
	}
	if !filepath.IsAbs(s) {
		s = filepath.Join(p.dir, s)
	}
	dir := s
	if strings.ContainsAny(filepath.Base(s), "*?[") {
		dir = filepath.Dir(s)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		p.fail(key, fmt.Sprintf("folder %s does not exist", dir))
	}
	return s
}

func (p *parser) exports(n *yaml.Node, formats []string) {
	if n.Kind == 0 {
		return
	}
	if n.Kind != yaml.MappingNode {
		p.fail("exports", "must be a mapping of profile name to profile settings")
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		name, body := n.Content[i].Value, n.Content[i+1]
		key := "exports." + name
		e := Export{Name: name}
		if err := decodeStrict(body, &e); err != nil {
			p.errs = append(p.errs, &Error{File: p.cfg.Path, Line: body.Line, Key: key, Msg: err.Error()})
			continue
		}
		e.Name, e.Line = name, n.Content[i].Line
		p.profileName(name, key)
		p.require(e.Audience == "internal" || e.Audience == "external", key+".audience",
			fmt.Sprintf("%q: expected internal or external", e.Audience))
		if e.Audience == "external" && e.Threshold == 0 {
			e.Threshold = 5
		}
		p.require(e.Threshold >= 0, key+".threshold", "must be ≥ 0")
		p.require(len(e.Formats) > 0, key+".formats", "at least one format: "+strings.Join(formats, ", "))
		for _, f := range e.Formats {
			p.require(formats == nil || contains(formats, f), key+".formats", fmt.Sprintf("unknown format %q: expected one of %s", f, strings.Join(formats, ", ")))
		}
		if e.Layout == "" {
			e.Layout = "observatoire"
		}
		p.require(e.Layout == "observatoire" || e.Layout == "drees", key+".layout",
			fmt.Sprintf("%q: expected observatoire or drees", e.Layout))
		if len(e.Indicators) == 0 {
			e.Indicators = []string{"*"}
		}
		if e.Title == "" {
			e.Title = "Observatoire départemental de la protection de l'enfance"
		}
		p.breakdowns(&e, key)
		p.cfg.Exports = append(p.cfg.Exports, e)
	}
}

// sqlAndServe fills in the session limits and checks `serve:`.
func (p *parser) sqlAndServe() {
	c := p.cfg
	if c.SQL.MemoryLimit == "" {
		c.SQL.MemoryLimit = "2GB"
	}
	if c.SQL.Threads == 0 {
		c.SQL.Threads = c.DuckDB.Threads
	}
	if c.SQL.StatementTimeout == 0 {
		c.SQL.StatementTimeout = 10 * time.Minute
	}
	p.require(c.SQL.StatementTimeout > 0, "sql.statement_timeout", "must be positive")
	s := &c.Serve
	if s.StatementTimeout == 0 {
		s.StatementTimeout = c.SQL.StatementTimeout
	}
	if s.MemoryLimit == "" {
		s.MemoryLimit = c.SQL.MemoryLimit
	}
	if s.MaxRows == 0 {
		s.MaxRows = 5_000_000
	}
	if s.MaxConnections == 0 {
		s.MaxConnections = 64
	}
	if s.AuthDelay == 0 {
		s.AuthDelay = time.Second
	}
	s.TLSCert = p.path(s.TLSCert, "serve.tls_cert", true)
	s.TLSKey = p.path(s.TLSKey, "serve.tls_key", true)
	p.require((s.TLSCert == "") == (s.TLSKey == ""), "serve.tls_cert", "tls_cert and tls_key go together")
	for _, l := range s.Listen {
		host, _, err := net.SplitHostPort(l)
		if err != nil {
			p.fail("serve.listen", fmt.Sprintf("%q: expected host:port (%v)", l, err))
			continue
		}
		p.require(s.TLSCert != "" || IsLoopback(host), "serve.listen",
			fmt.Sprintf("%q is not a loopback address: set serve.tls_cert and serve.tls_key (TLS is required off the machine)", l))
	}
	if s.HTTPListen != "" {
		host, _, err := net.SplitHostPort(s.HTTPListen)
		if err != nil {
			p.fail("serve.http_listen", fmt.Sprintf("%q: expected host:port (%v)", s.HTTPListen, err))
		} else {
			p.require(s.TLSCert != "" || IsLoopback(host), "serve.http_listen",
				fmt.Sprintf("%q is not a loopback address: set serve.tls_cert and serve.tls_key (TLS is required off the machine)", s.HTTPListen))
		}
	}
	names := make([]string, 0, len(s.Users))
	for n := range s.Users {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		u := s.Users[n]
		key := "serve.users." + n
		p.require(u.Role == RoleStatistician || u.Role == RolePartner, key+".role",
			fmt.Sprintf("%q: expected %s or %s", u.Role, RoleStatistician, RolePartner))
		if _, err := scram.Parse(u.SCRAM); err != nil {
			p.fail(key+".scram", err.Error())
		}
	}
}

// IsLoopback reports whether a listener's host is this machine only.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// breakdowns checks a profile's breakdowns and its workbook's, and fills
// in their defaults: every breakdown, and the profile's for the workbook.
func (p *parser) breakdowns(e *Export, key string) {
	p.breakdownList(e.Breakdowns, key+".breakdowns", Breakdowns, "")
	if e.Breakdowns == nil {
		e.Breakdowns = slices.Clone(Breakdowns)
	}
	if e.XLSXBreakdowns == nil {
		e.XLSXBreakdowns = slices.Clone(e.Breakdowns)
		return
	}
	xkey := key + ".xlsx_breakdowns"
	p.require(contains(e.Formats, "xlsx"), xkey, fmt.Sprintf("the profile has no xlsx format (formats: %s)", strings.Join(e.Formats, ", ")))
	p.breakdownList(e.XLSXBreakdowns, xkey, e.Breakdowns, "the profile's breakdowns")
	var left []string
	for _, b := range e.Breakdowns {
		if !contains(e.XLSXBreakdowns, b) {
			left = append(left, b)
		}
	}
	others := false
	for _, f := range e.Formats {
		others = others || f != "xlsx"
	}
	p.require(len(left) == 0 || others, xkey, fmt.Sprintf("leaves %s out of the workbook, but the profile has no other format to carry them: narrow breakdowns instead",
		strings.Join(left, ", ")))
}

// breakdownList checks that a list of breakdowns names each of valid at
// most once; what names valid in the message ("" for the known ones).
func (p *parser) breakdownList(list []string, key string, valid []string, what string) {
	expected := "expected one of " + strings.Join(valid, ", ")
	if what != "" {
		expected = fmt.Sprintf("expected one of %s (%s)", what, strings.Join(valid, ", "))
		if len(valid) == 0 {
			expected = what + " are empty"
		}
	}
	seen := map[string]bool{}
	for _, b := range list {
		switch {
		case seen[b]:
			p.fail(key, fmt.Sprintf("breakdown %q is listed twice", b))
		case !contains(valid, b) && what != "" && contains(Breakdowns, b):
			p.fail(key, fmt.Sprintf("breakdown %q is not carried by the profile: %s", b, expected))
		case !contains(valid, b):
			p.fail(key, fmt.Sprintf("unknown breakdown %q: %s", b, expected))
		}
		seen[b] = true
	}
}

// Job returns the job named name.
func (c *Config) Job(name string) (Job, bool) {
	for _, j := range c.Jobs {
		if j.Name == name {
			return j, true
		}
	}
	return Job{}, false
}

// Export returns the export profile named name.
func (c *Config) Export(name string) (Export, bool) {
	for _, e := range c.Exports {
		if e.Name == name {
			return e, true
		}
	}
	return Export{}, false
}

// decodeStrict decodes a node into v, rejecting unknown keys with their
// line in the file.
func decodeStrict(n *yaml.Node, v any) error {
	if n.Kind == yaml.MappingNode {
		known := yamlKeys(reflect.TypeOf(v).Elem())
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if !known[k.Value] {
				names := make([]string, 0, len(known))
				for name := range known {
					names = append(names, name)
				}
				sort.Strings(names)
				return fmt.Errorf("line %d: unknown key %q (expected one of %s)", k.Line, k.Value, strings.Join(names, ", "))
			}
		}
	}
	if err := n.Decode(v); err != nil {
		return fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "yaml: unmarshal errors:\n  "))
	}
	return nil
}

// yamlKeys lists the yaml keys of a struct type.
func yamlKeys(t reflect.Type) map[string]bool {
	keys := map[string]bool{}
	if t.Kind() != reflect.Struct {
		return keys
	}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			keys[name] = true
		}
	}
	return keys
}

// Options wraps a job's `options:` node for extract.Options.
type Options struct{ Node *yaml.Node }

// Decode fills v from the options, rejecting unknown keys.
func (o Options) Decode(v any) error {
	if o.Node == nil || o.Node.Kind == 0 {
		return nil
	}
	return decodeStrict(o.Node, v)
}

// lineOf finds the line of a key path in the document ("jobs", "pmi",
// "source"); it returns the deepest line found.
func lineOf(root *yaml.Node, keys ...string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := 0
	for _, k := range keys {
		if i := strings.IndexByte(k, '['); i > 0 {
			k = k[:i]
		}
		if n.Kind != yaml.MappingNode {
			break
		}
		found := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				line, n, found = n.Content[i].Line, n.Content[i+1], true
				break
			}
		}
		if !found {
			break
		}
	}
	return line
}

func validCOG(s string) bool {
	switch {
	case len(s) == 2 && (s == "2A" || s == "2B"):
		return true
	case len(s) == 2 || len(s) == 3:
		for _, r := range s {
			if r < '0' || r > '9' {
				return false
			}
		}
		return s != "00" && s != "20" && (len(s) == 2 || strings.HasPrefix(s, "97"))
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// parseDays reads a duration in days ("30d") or as Go writes one ("72h").
func parseDays(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(strings.TrimSpace(s), "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil {
			return 0, err
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}
