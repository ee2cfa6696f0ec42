// Package serve is `odpe serve`: the warehouse over the PostgreSQL wire
// protocol (pgx's pgproto3), for the statisticians' R, Python, DBeaver,
// Excel and BI tools.
//
// Every query (or explicit transaction) runs on a sandbox lease
// (pipelines/sandbox): the warehouse version current when it starts, read
// only, walled in, with the configured statement timeout and memory limit;
// after a refresh the next query on the same connection sees the new
// version, and the server never takes the refresh lock. Users log in with
// SCRAM-SHA-256 against verifiers in the configuration; a failed login is
// logged and answered late. A statistician reads the whole warehouse; a
// partner only views over the external profiles' published Parquet files
// (the cells the files publish: hidden cells are NULL with their mark in
// `conf`). ServeReports serves the annual report over HTTP(S) to the same
// users (serve.http_listen): statisticians the internal report, partners
// the external profiles' only.
package serve

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/odpe/odpe/pipelines/sandbox"
	"github.com/odpe/odpe/pipelines/serve/scram"
)

// Roles.
const (
	RoleStatistician = "statistician"
	RolePartner      = "partner"
)

// User is a login: its role and SCRAM verifier.
type User struct {
	Role     string
	Verifier scram.Verifier
}

// Config is what a Server needs.
type Config struct {
	Warehouse  string // the link to the current version
	ExportsDir string
	// PartnerProfiles are the external profiles partners may read (their
	// Parquet files under ExportsDir/<profile>/parquet).
	PartnerProfiles  []string
	MemoryLimit      string
	Threads          int
	StatementTimeout time.Duration
	MaxRows          int64
	MaxConnections   int
	AuthDelay        time.Duration
	TLS              *tls.Config // nil: no TLS (loopback listeners only)
	Users            map[string]User
	Log              *slog.Logger
}

// Server serves the warehouse on listeners.
type Server struct {
	cfg      Config
	boxes    map[string]*sandbox.Sandbox // by role
	slots    chan struct{}
	mu       sync.Mutex
	sessions map[uint32]*session
	failures map[string]int // failed logins by remote host
	wg       sync.WaitGroup
}

// New makes a server; sandboxes open their instances on first use.
func New(cfg Config) (*Server, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.MaxConnections <= 0 {
		cfg.MaxConnections = 64
	}
	stat, err := sandbox.New(sandbox.Config{
		Warehouse: cfg.Warehouse, AllowedDirs: []string{cfg.ExportsDir},
		MemoryLimit: cfg.MemoryLimit, Threads: cfg.Threads, StatementTimeout: cfg.StatementTimeout,
	})
	if err != nil {
		return nil, err
	}
	partner, err := newPartnerSandbox(cfg)
	if err != nil {
		stat.Close()
		return nil, err
	}
	return &Server{
		cfg:      cfg,
		boxes:    map[string]*sandbox.Sandbox{RoleStatistician: stat, RolePartner: partner},
		slots:    make(chan struct{}, cfg.MaxConnections),
		sessions: map[uint32]*session{},
		failures: map[string]int{},
	}, nil
}

// Close closes the sandboxes (after Serve returned).
func (s *Server) Close() error {
	var errs []error
	for _, b := range s.boxes {
		errs = append(errs, b.Close())
	}
	return errors.Join(errs...)
}

// Serve accepts connections on ln until ctx ends, then closes ln and waits
// for the sessions to end (they are told to stop). With requireTLS, a
// client that does not ask for TLS is refused.
func (s *Server) Serve(ctx context.Context, ln net.Listener, requireTLS bool) error {
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	s.cfg.Log.Info("odpe serve listening", "addr", ln.Addr().String(), "tls", s.cfg.TLS != nil)
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				s.wg.Wait()
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			s.wg.Wait()
			return fmt.Errorf("accept: %w", err)
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.handle(ctx, c, requireTLS)
		}()
	}
}

// handle runs one client connection.
func (s *Server) handle(ctx context.Context, c net.Conn, requireTLS bool) {
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Now()) })
	defer stop()
	c.SetDeadline(time.Now().Add(time.Minute)) // the startup and login
	be := pgproto3.NewBackend(c, c)
	tlsOn := false
	var startup *pgproto3.StartupMessage
	for startup == nil {
		msg, err := be.ReceiveStartupMessage()
		if err != nil {
			return
		}
		switch m := msg.(type) {
		case *pgproto3.SSLRequest:
			if s.cfg.TLS == nil || tlsOn {
				if _, err := c.Write([]byte{'N'}); err != nil {
					return
				}
				continue
			}
			if _, err := c.Write([]byte{'S'}); err != nil {
				return
			}
			tc := tls.Server(c, s.cfg.TLS)
			if err := tc.HandshakeContext(ctx); err != nil {
				s.cfg.Log.Warn("TLS handshake failed", "remote", c.RemoteAddr().String(), "err", err)
				return
			}
			c, tlsOn = tc, true
			defer tc.Close()
			be = pgproto3.NewBackend(c, c)
		case *pgproto3.GSSEncRequest:
			if _, err := c.Write([]byte{'N'}); err != nil {
				return
			}
		case *pgproto3.CancelRequest:
			s.cancel(m.ProcessID, m.SecretKey)
			return
		case *pgproto3.StartupMessage:
			startup = m
		default:
			return
		}
	}
	fatal := func(code, msg string) {
		be.Send(&pgproto3.ErrorResponse{Severity: "FATAL", SeverityUnlocalized: "FATAL", Code: code, Message: msg})
		be.Flush()
	}
	if requireTLS && !tlsOn {
		fatal("28000", "this server requires TLS (sslmode=require)")
		return
	}
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	default:
		fatal("53300", "sorry, too many clients already")
		return
	}
	user := startup.Parameters["user"]
	u, ok := s.login(be, c, user)
	if !ok {
		return
	}
	c.SetDeadline(time.Time{})
	sess := s.newSession(ctx, be, c, user, u.Role, startup.Parameters)
	defer s.endSession(sess)
	sess.run()
}

// login runs the SCRAM-SHA-256 exchange; a failure is logged, delayed
// (doubling per failure from the same host) and answered with 28P01.
func (s *Server) login(be *pgproto3.Backend, c net.Conn, user string) (User, bool) {
	u, known := s.cfg.Users[user]
	v := u.Verifier
	if !known {
		v = scram.Dummy()
	}
	srv := scram.NewServer(v)
	fail := func(why error) (User, bool) {
		s.failedLogin(user, c.RemoteAddr().String(), "postgresql", why)
		be.Send(&pgproto3.ErrorResponse{Severity: "FATAL", SeverityUnlocalized: "FATAL", Code: "28P01",
			Message: fmt.Sprintf("password authentication failed for user %q", user)})
		be.Flush()
		return User{}, false
	}
	be.Send(&pgproto3.AuthenticationSASL{AuthMechanisms: []string{scram.Mechanism}})
	if err := be.Flush(); err != nil {
		return User{}, false
	}
	if err := be.SetAuthType(pgproto3.AuthTypeSASL); err != nil {
		return User{}, false
	}
	msg, err := be.Receive()
	if err != nil {
		return User{}, false
	}
	first, ok := msg.(*pgproto3.SASLInitialResponse)
	if !ok || first.AuthMechanism != scram.Mechanism {
		return fail(errors.New("the client does not speak SCRAM-SHA-256"))
	}
	sf, err := srv.First(first.Data)
	if err != nil {
		return fail(err)
	}
	be.Send(&pgproto3.AuthenticationSASLContinue{Data: sf})
	if err := be.Flush(); err != nil {
		return User{}, false
	}
	if err := be.SetAuthType(pgproto3.AuthTypeSASLContinue); err != nil {
		return User{}, false
	}
	if msg, err = be.Receive(); err != nil {
		return User{}, false
	}
	resp, ok := msg.(*pgproto3.SASLResponse)
	if !ok {
		return fail(errors.New("unexpected message during SCRAM"))
	}
	final, err := srv.Final(resp.Data)
	if err != nil || !known {
		if err == nil {
			err = errors.New("unknown user")
		}
		return fail(err)
	}
	host, _, _ := net.SplitHostPort(c.RemoteAddr().String())
	s.mu.Lock()
	delete(s.failures, host)
	s.mu.Unlock()
	be.Send(&pgproto3.AuthenticationSASLFinal{Data: final})
	be.Send(&pgproto3.AuthenticationOk{})
	return u, true
}

func (s *Server) newSession(ctx context.Context, be *pgproto3.Backend, c net.Conn, user, role string, params map[string]string) *session {
	secret := make([]byte, 4)
	rand.Read(secret)
	sess := newSession(ctx, s, be, c, user, role, params)
	sess.secret = secret
	s.mu.Lock()
	for {
		var b [4]byte
		rand.Read(b[:])
		pid := binary.BigEndian.Uint32(b[:])&0x7fffffff | 1
		if _, used := s.sessions[pid]; !used {
			sess.pid = pid
			s.sessions[pid] = sess
			break
		}
	}
	s.mu.Unlock()
	s.cfg.Log.Info("odpe serve: login", "user", user, "role", role, "remote", c.RemoteAddr().String(), "application", params["application_name"])
	return sess
}

func (s *Server) endSession(sess *session) {
	sess.close()
	s.mu.Lock()
	delete(s.sessions, sess.pid)
	s.mu.Unlock()
}

// cancel stops the running query of the session a CancelRequest names.
func (s *Server) cancel(pid uint32, secret []byte) {
	s.mu.Lock()
	sess := s.sessions[pid]
	s.mu.Unlock()
	if sess == nil || string(sess.secret) != string(secret) {
		return
	}
	sess.cancelQuery()
}

// Authenticate checks a user's password against its verifier and returns
// its role: the HTTP listener (serve.http_listen, ServeReports) logs its
// users in with it. A failure is logged and delayed like a failed
// PostgreSQL login.
func (s *Server) Authenticate(user, password, remote string) (role string, ok bool) {
	u, known := s.cfg.Users[user]
	if known && u.Verifier.Check(password) {
		host, _, err := net.SplitHostPort(remote)
		if err != nil {
			host = remote
		}
		s.mu.Lock()
		delete(s.failures, host) // a success resets the delay, as for a PostgreSQL login
		s.mu.Unlock()
		return u.Role, true
	}
	s.failedLogin(user, remote, "http", errors.New("password authentication failed"))
	return "", false
}

// failedLogin logs a failed login and waits auth_delay, doubled at each
// failure from the same host (up to 30 s); a success resets the count.
func (s *Server) failedLogin(user, remote, listener string, why error) {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	s.mu.Lock()
	s.failures[host]++
	n := s.failures[host]
	s.mu.Unlock()
	delay := min(s.cfg.AuthDelay<<min(n-1, 5), 30*time.Second)
	s.cfg.Log.Warn("odpe serve: failed login", "user", user, "remote", remote, "listener", listener,
		"failures", n, "delay", delay, "reason", why.Error())
	time.Sleep(delay)
}
