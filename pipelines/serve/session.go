package serve

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/odpe/odpe/pipelines/sandbox"
	"github.com/odpe/odpe/pipelines/sandbox/sqltext"
)

// session is one logged-in client connection.
type session struct {
	ctx    context.Context
	srv    *Server
	be     *pgproto3.Backend
	conn   net.Conn
	user   string
	role   string
	box    *sandbox.Sandbox
	pid    uint32
	secret []byte
	types  *pgtype.Map
	params map[string]string // session parameters SHOW answers

	lease   *sandbox.Lease
	cache   map[string]*sandbox.Stmt // prepared on the lease, by text
	status  byte                     // 'I', 'T' or 'E'
	stmts   map[string]*prepared
	portals map[string]*portal
	skip    bool // an error in the extended protocol: skip to Sync

	cancelMu sync.Mutex
	cancelFn context.CancelFunc
}

// prepared is a statement a client named (Parse); it outlives leases and
// is prepared again on each version it runs on.
type prepared struct {
	text      string
	paramOIDs []uint32 // the client's, 0 when it left them to the server
	act       action
}

// portal is a bound statement (Bind), possibly half-read (Execute with a
// row limit).
type portal struct {
	stmt    *prepared
	args    []driver.NamedValue
	formats []int16
	res     *sandbox.Result
	enc     []encoder
	rows    int64
}

func newSession(ctx context.Context, srv *Server, be *pgproto3.Backend, c net.Conn, user, role string, startup map[string]string) *session {
	s := &session{
		ctx: ctx, srv: srv, be: be, conn: c, user: user, role: role,
		box:   srv.boxes[role],
		types: pgtype.NewMap(),
		params: map[string]string{
			"server_version": "15.0 (odpe)", "server_version_num": "150000", "server_encoding": "UTF8",
			"client_encoding": "UTF8", "datestyle": "ISO, MDY", "timezone": "UTC", "intervalstyle": "postgres",
			"integer_datetimes": "on", "standard_conforming_strings": "on", "is_superuser": "off",
			"application_name": startup["application_name"], "session_authorization": user,
			"transaction_isolation": "read committed", "default_transaction_isolation": "read committed",
			"transaction_read_only": "on", "default_transaction_read_only": "on",
			"statement_timeout":  strconv.FormatInt(srv.cfg.StatementTimeout.Milliseconds(), 10),
			"extra_float_digits": "1", "max_identifier_length": "63", "search_path": `"$user", public`,
			"lc_messages": "C", "lc_monetary": "C", "lc_numeric": "C", "lc_time": "C", "bytea_output": "hex",
			"client_min_messages": "notice", "max_index_keys": "32", "in_hot_standby": "off",
		},
		status:  'I',
		stmts:   map[string]*prepared{},
		portals: map[string]*portal{},
		cache:   map[string]*sandbox.Stmt{},
	}
	return s
}

// run sends the welcome and answers messages until the client leaves.
func (s *session) run() {
	for _, k := range []string{"server_version", "server_encoding", "client_encoding", "datestyle", "timezone",
		"integer_datetimes", "standard_conforming_strings", "intervalstyle", "is_superuser", "application_name",
		"session_authorization", "default_transaction_read_only", "in_hot_standby"} {
		name := k
		switch k {
		case "datestyle":
			name = "DateStyle"
		case "timezone":
			name = "TimeZone"
		case "intervalstyle":
			name = "IntervalStyle"
		}
		s.be.Send(&pgproto3.ParameterStatus{Name: name, Value: s.params[k]})
	}
	s.be.Send(&pgproto3.BackendKeyData{ProcessID: s.pid, SecretKey: s.secret})
	s.ready()
	for {
		msg, err := s.be.Receive()
		if err != nil {
			return
		}
		if s.skip {
			if _, ok := msg.(*pgproto3.Sync); !ok {
				continue
			}
		}
		switch m := msg.(type) {
		case *pgproto3.Query:
			s.simple(m.String)
			s.ready()
		case *pgproto3.Parse:
			s.parse(m)
		case *pgproto3.Bind:
			s.bind(m)
		case *pgproto3.Describe:
			s.describe(m)
		case *pgproto3.Execute:
			s.execute(m)
		case *pgproto3.Close:
			s.closeObject(m)
		case *pgproto3.Sync:
			s.skip = false
			s.ready()
		case *pgproto3.Flush:
			if s.be.Flush() != nil {
				return
			}
		case *pgproto3.Terminate:
			return
		default:
			s.fail(fmt.Errorf("unsupported message %T", m))
			s.ready()
		}
	}
}

// ready ends a request: outside a transaction the lease goes back, so the
// next request reads the version current then.
func (s *session) ready() {
	for name, p := range s.portals {
		if name == "" || s.status == 'I' {
			p.close()
			delete(s.portals, name)
		}
	}
	if s.status == 'I' {
		s.releaseLease()
	}
	s.be.Send(&pgproto3.ReadyForQuery{TxStatus: s.status})
	s.be.Flush()
}

func (s *session) close() {
	for _, p := range s.portals {
		p.close()
	}
	s.releaseLease()
}

func (p *portal) close() {
	if p.res != nil {
		p.res.Close()
		p.res = nil
	}
}

func (s *session) releaseLease() {
	if s.lease == nil {
		return
	}
	for _, st := range s.cache {
		st.Close()
	}
	clear(s.cache)
	s.lease.Release()
	s.lease = nil
}

// leaseNow returns the request's lease, taking one on the current version.
func (s *session) leaseNow() (*sandbox.Lease, error) {
	if s.lease != nil {
		return s.lease, nil
	}
	l, err := s.box.Acquire(s.ctx)
	if err != nil {
		return nil, err
	}
	if sp := s.params["search_path"]; sp != "" && !strings.Contains(sp, "$user") {
		if res, err := l.Run(s.ctx, "SET search_path = "+sqlString(sp)); err == nil {
			res.Close()
		}
	}
	s.lease = l
	return l, nil
}

// prepare prepares text on the lease (once per lease).
func (s *session) prepare(text string) (*sandbox.Stmt, error) {
	if st, ok := s.cache[text]; ok {
		return st, nil
	}
	l, err := s.leaseNow()
	if err != nil {
		return nil, err
	}
	st, err := l.Prepare(s.ctx, text)
	if err != nil {
		return nil, err
	}
	s.cache[text] = st
	return st, nil
}

// queryContext is the context of a running query: a CancelRequest ends it.
func (s *session) queryContext() context.Context {
	ctx, cancel := context.WithCancel(s.ctx)
	s.cancelMu.Lock()
	if s.cancelFn != nil {
		s.cancelFn()
	}
	s.cancelFn = cancel
	s.cancelMu.Unlock()
	return ctx
}

func (s *session) cancelQuery() {
	s.cancelMu.Lock()
	if s.cancelFn != nil {
		s.cancelFn()
	}
	s.cancelMu.Unlock()
}

// fail sends an error; in a transaction, the transaction fails.
func (s *session) fail(err error) {
	s.be.Send(errorResponse(err))
	if s.status == 'T' {
		s.status = 'E'
	}
}

// simple runs a Query message: its statements in turn, stopping at the
// first error.
func (s *session) simple(q string) {
	stmts := sqltext.Split(q)
	if len(stmts) == 0 {
		s.be.Send(&pgproto3.EmptyQueryResponse{})
		return
	}
	for _, text := range stmts {
		act := classify(text, s.params)
		if !s.allowedInState(act) {
			return
		}
		if act.kind != actRun {
			s.do(act, nil, true)
			continue
		}
		st, err := s.prepare(act.text)
		if err != nil {
			s.fail(err)
			return
		}
		p := &portal{stmt: &prepared{text: act.text, act: act}}
		cols, err := st.Columns()
		if err != nil {
			s.fail(err)
			return
		}
		if len(cols) > 0 {
			s.be.Send(rowDescription(cols, nil))
		}
		if !s.runPortal(p, st, 0) {
			return
		}
	}
}

// allowedInState refuses all but the end of a failed transaction.
func (s *session) allowedInState(act action) bool {
	if s.status == 'E' && act.kind != actCommit && act.kind != actRollback {
		s.be.Send(&pgproto3.ErrorResponse{Severity: "ERROR", SeverityUnlocalized: "ERROR", Code: "25P02",
			Message: "current transaction is aborted, commands ignored until end of transaction block"})
		return false
	}
	return true
}

// do answers a statement the server handles itself.
func (s *session) do(act action, formats []int16, describe bool) {
	switch act.kind {
	case actBegin:
		if s.status == 'I' {
			if _, err := s.leaseNow(); err != nil {
				s.fail(err)
				return
			}
			s.status = 'T'
		}
	case actCommit, actRollback:
		s.status = 'I'
	case actSet:
		s.params[act.name] = act.value
	case actShow:
		if describe {
			s.be.Send(&pgproto3.RowDescription{Fields: []pgproto3.FieldDescription{{Name: []byte(act.name), DataTypeOID: oidText, DataTypeSize: -1, TypeModifier: -1, Format: formatOf(formats, 0)}}})
		}
		s.be.Send(&pgproto3.DataRow{Values: [][]byte{[]byte(act.value)}})
		s.be.Send(&pgproto3.CommandComplete{CommandTag: []byte("SHOW")})
		return
	}
	s.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(act.tag)})
}

// runPortal sends up to max rows (0: all) of a portal; false on error.
func (s *session) runPortal(p *portal, st *sandbox.Stmt, max int32) bool {
	if p.res == nil {
		res, err := st.Query(s.queryContext(), p.args)
		if err != nil {
			s.fail(err)
			return false
		}
		p.res = res
		p.enc = newEncoders(s.types, res.Columns, p.formats)
	}
	dst := make([]driver.Value, len(p.res.Columns))
	vals := make([][]byte, len(dst))
	var buf []byte
	limit := s.srv.cfg.MaxRows
	sent := int32(0)
	for {
		if max > 0 && sent == max {
			s.be.Send(&pgproto3.PortalSuspended{})
			return true
		}
		err := p.res.Next(dst)
		if err == io.EOF {
			break
		}
		if err != nil {
			p.close()
			s.fail(err)
			return false
		}
		p.rows++
		if limit > 0 && p.rows > limit {
			p.close()
			s.fail(&pgError{code: "54000", msg: fmt.Sprintf("the result has more than %d rows (serve.max_rows): add a LIMIT, filter or aggregate", limit)})
			return false
		}
		buf = buf[:0]
		offs := make([]int, 0, 2*len(dst))
		for i, v := range dst {
			start := len(buf)
			var ok bool
			buf, ok, err = p.enc[i].encode(v, buf)
			if err != nil {
				p.close()
				s.fail(err)
				return false
			}
			if ok {
				offs = append(offs, start, len(buf))
			} else {
				offs = append(offs, -1, -1)
			}
		}
		for i := range vals {
			if offs[2*i] < 0 {
				vals[i] = nil
			} else {
				vals[i] = buf[offs[2*i]:offs[2*i+1]:offs[2*i+1]]
			}
		}
		s.be.Send(&pgproto3.DataRow{Values: vals})
		sent++
		if p.rows%512 == 0 {
			if err := s.be.Flush(); err != nil {
				p.close()
				return false
			}
		}
	}
	tag := "SELECT " + strconv.FormatInt(p.rows, 10)
	switch st.Type {
	case duckdb.STATEMENT_TYPE_EXPLAIN:
		tag = "EXPLAIN"
	case duckdb.STATEMENT_TYPE_TRANSACTION, duckdb.STATEMENT_TYPE_VARIABLE_SET, duckdb.STATEMENT_TYPE_SET:
		tag = strings.ToUpper(sqltext.Keyword(st.Text))
	}
	p.close()
	s.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(tag)})
	return true
}

func (s *session) extendedFail(err error) {
	s.fail(err)
	s.skip = true
}

func (s *session) parse(m *pgproto3.Parse) {
	text := m.Query
	if n := len(sqltext.Split(text)); n > 1 {
		s.extendedFail(&pgError{code: "42601", msg: "cannot insert multiple commands into a prepared statement"})
		return
	}
	act := classify(text, s.params)
	s.stmts[m.Name] = &prepared{text: act.text, paramOIDs: m.ParameterOIDs, act: act}
	s.be.Send(&pgproto3.ParseComplete{})
}

func (s *session) bind(m *pgproto3.Bind) {
	ps, ok := s.stmts[m.PreparedStatement]
	if !ok {
		s.extendedFail(&pgError{code: "26000", msg: fmt.Sprintf("prepared statement %q does not exist", m.PreparedStatement)})
		return
	}
	if !s.allowedInState(ps.act) {
		s.skip = true
		return
	}
	p := &portal{stmt: ps, formats: m.ResultFormatCodes}
	if ps.act.kind == actRun && len(m.Parameters) > 0 {
		st, err := s.prepare(ps.text)
		if err != nil {
			s.extendedFail(err)
			return
		}
		oids := s.paramOIDs(ps, st)
		for i, raw := range m.Parameters {
			oid := uint32(oidText)
			if i < len(oids) {
				oid = oids[i]
			}
			v, err := decodeParam(s.types, oid, formatOf(m.ParameterFormatCodes, i), raw)
			if err != nil {
				s.extendedFail(&pgError{code: "22P02", msg: fmt.Sprintf("parameter $%d: %v", i+1, err)})
				return
			}
			p.args = append(p.args, driver.NamedValue{Ordinal: i + 1, Value: v})
		}
	}
	if old := s.portals[m.DestinationPortal]; old != nil {
		old.close()
	}
	s.portals[m.DestinationPortal] = p
	s.be.Send(&pgproto3.BindComplete{})
}

// paramOIDs are the types of a statement's parameters: the client's where
// it gave them, else what DuckDB infers.
func (s *session) paramOIDs(ps *prepared, st *sandbox.Stmt) []uint32 {
	types := st.Params()
	oids := make([]uint32, len(types))
	for i, t := range types {
		oids[i] = paramType(t)
		if i < len(ps.paramOIDs) && ps.paramOIDs[i] != 0 {
			oids[i] = ps.paramOIDs[i]
		}
	}
	return oids
}

func (s *session) describe(m *pgproto3.Describe) {
	var ps *prepared
	var formats []int16
	if m.ObjectType == 'S' {
		ps = s.stmts[m.Name]
	} else if p := s.portals[m.Name]; p != nil {
		ps, formats = p.stmt, p.formats
	}
	if ps == nil {
		s.extendedFail(&pgError{code: "26000", msg: fmt.Sprintf("%q does not exist", m.Name)})
		return
	}
	if ps.act.kind != actRun {
		if m.ObjectType == 'S' {
			s.be.Send(&pgproto3.ParameterDescription{})
		}
		if ps.act.kind == actShow {
			s.be.Send(&pgproto3.RowDescription{Fields: []pgproto3.FieldDescription{{Name: []byte(ps.act.name), DataTypeOID: oidText, DataTypeSize: -1, TypeModifier: -1, Format: formatOf(formats, 0)}}})
		} else {
			s.be.Send(&pgproto3.NoData{})
		}
		return
	}
	st, err := s.prepare(ps.text)
	if err != nil {
		s.extendedFail(err)
		return
	}
	if m.ObjectType == 'S' {
		s.be.Send(&pgproto3.ParameterDescription{ParameterOIDs: s.paramOIDs(ps, st)})
	}
	cols, err := st.Columns()
	if err != nil {
		s.extendedFail(err)
		return
	}
	if len(cols) == 0 {
		s.be.Send(&pgproto3.NoData{})
		return
	}
	s.be.Send(rowDescription(cols, formats))
}

func (s *session) execute(m *pgproto3.Execute) {
	p := s.portals[m.Portal]
	if p == nil {
		s.extendedFail(&pgError{code: "34000", msg: fmt.Sprintf("portal %q does not exist", m.Portal)})
		return
	}
	if p.stmt.act.kind != actRun {
		if !s.allowedInState(p.stmt.act) {
			s.skip = true
			return
		}
		s.do(p.stmt.act, p.formats, false)
		return
	}
	st, err := s.prepare(p.stmt.text)
	if err != nil {
		s.extendedFail(err)
		return
	}
	if !s.runPortal(p, st, int32(m.MaxRows)) {
		s.skip = true
	}
}

func (s *session) closeObject(m *pgproto3.Close) {
	if m.ObjectType == 'S' {
		delete(s.stmts, m.Name)
	} else if p := s.portals[m.Name]; p != nil {
		p.close()
		delete(s.portals, m.Name)
	}
	s.be.Send(&pgproto3.CloseComplete{})
}

// rowDescription describes result columns in the requested formats.
func rowDescription(cols []sandbox.Column, formats []int16) *pgproto3.RowDescription {
	fields := make([]pgproto3.FieldDescription, len(cols))
	for i, c := range cols {
		oid, size := pgType(c.Type)
		fields[i] = pgproto3.FieldDescription{Name: []byte(c.Name), DataTypeOID: oid, DataTypeSize: size, TypeModifier: -1, Format: formatOf(formats, i)}
	}
	return &pgproto3.RowDescription{Fields: fields}
}

// pgError is an error with its SQLSTATE.
type pgError struct{ code, msg string }

func (e *pgError) Error() string { return e.msg }

// errorResponse maps an error to its SQLSTATE.
func errorResponse(err error) *pgproto3.ErrorResponse {
	code := "XX000"
	msg := err.Error()
	var pe *pgError
	var re *sandbox.RefusedError
	var te *sandbox.TimeoutError
	var de *duckdb.Error
	switch {
	case errors.As(err, &pe):
		code = pe.code
	case errors.As(err, &re):
		code = "42501"
		if strings.Contains(re.Reason, "read-only") {
			code = "25006"
		}
	case errors.As(err, &te):
		code = "57014"
	case errors.Is(err, context.Canceled):
		code, msg = "57014", "canceling statement due to user request"
	case errors.As(err, &de):
		switch de.Type {
		case duckdb.ErrorTypeParser, duckdb.ErrorTypeSyntax:
			code = "42601"
		case duckdb.ErrorTypeCatalog:
			code = "42P01"
			if strings.Contains(msg, "does not exist") && strings.Contains(msg, "Schema") {
				code = "3F000"
			}
		case duckdb.ErrorTypeBinder:
			code = "42703"
			if strings.Contains(msg, "No function matches") {
				code = "42883"
			}
		case duckdb.ErrorTypePermission:
			code = "42501"
		case duckdb.ErrorTypeConversion, duckdb.ErrorTypeInvalidInput, duckdb.ErrorTypeMismatchType:
			code = "22P02"
		case duckdb.ErrorTypeDivideByZero:
			code = "22012"
		case duckdb.ErrorTypeOutOfRange:
			code = "22003"
		case duckdb.ErrorTypeOutOfMemory:
			code = "53200"
		case duckdb.ErrorTypeInterrupt:
			code, msg = "57014", "canceling statement due to user request"
		case duckdb.ErrorTypeNotImplemented:
			code = "0A000"
		case duckdb.ErrorTypeIO:
			code = "58030"
		}
	}
	return &pgproto3.ErrorResponse{Severity: "ERROR", SeverityUnlocalized: "ERROR", Code: code, Message: msg}
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
