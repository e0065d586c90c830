package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver of the publishing pool
)

// channel is the PostgreSQL notification channel of every notice.
const channel = "arca_changes"

// message is a notice on the wire: PostgreSQL payloads are text of at most 8000 bytes, and
// keys (repository keys, user names, token ids) are far shorter.
type message struct {
	Node  string `json:"n"`
	Topic string `json:"t"`
	Key   string `json:"k"`
}

// Postgres is the Bus of the processes sharing a PostgreSQL database: notices go through
// NOTIFY on one channel and arrive on a connection of each process that LISTENs to it.
type Postgres struct {
	dsn  string
	node string // this process's id: its own notices are not delivered back
	log  *slog.Logger
	pub  *sql.DB // publishes (NOTIFY needs no session of its own)

	mu   sync.RWMutex
	subs map[string][]func(string)

	ready     chan struct{} // closed once the first LISTEN is in place
	readyOnce sync.Once
}

// NewPostgres returns a Bus on the database at dsn for the process node (a unique id); Run
// must be started for it to deliver.
func NewPostgres(dsn, node string, log *slog.Logger) (*Postgres, error) {
	pub, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	pub.SetMaxOpenConns(2)
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Postgres{dsn: dsn, node: node, log: log, pub: pub, subs: map[string][]func(string){}, ready: make(chan struct{})}, nil
}

// Publish implements Bus.
func (p *Postgres) Publish(ctx context.Context, topic, key string) {
	b, _ := json.Marshal(message{Node: p.node, Topic: topic, Key: key})
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := p.pub.ExecContext(ctx, "SELECT pg_notify($1, $2)", channel, string(b)); err != nil {
		p.log.Warn("publishing a change to the other nodes failed; they see it when their caches expire",
			"topic", topic, "key", key, "err", err)
	}
}

// PublishTx sends the notice inside tx, a transaction on the same database: PostgreSQL
// delivers it when tx commits, and never if tx rolls back, so a notice cannot be lost between
// a change's commit and its announcement (a process killed in between).
func (p *Postgres) PublishTx(ctx context.Context, tx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}, topic, key string) error {
	b, _ := json.Marshal(message{Node: p.node, Topic: topic, Key: key})
	_, err := tx.ExecContext(ctx, "SELECT pg_notify($1, $2)", channel, string(b))
	return err
}

// Subscribe implements Bus.
func (p *Postgres) Subscribe(topic string, fn func(key string)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.subs[topic] = append(p.subs[topic], fn)
}

// Ready is closed once the Bus listens (Run's first LISTEN succeeded).
func (p *Postgres) Ready() <-chan struct{} { return p.ready }

// Run listens until ctx is done, reconnecting after a lost connection (with a reset to every
// subscriber, since notices sent meanwhile are lost). It returns when ctx is done.
func (p *Postgres) Run(ctx context.Context) {
	defer p.pub.Close()
	backoff := 100 * time.Millisecond
	first := true
	for ctx.Err() == nil {
		err := p.listen(ctx, func() {
			if !first {
				p.resetAll()
			}
			first = false
			backoff = 100 * time.Millisecond
			p.readyOnce.Do(func() { close(p.ready) })
		})
		if ctx.Err() != nil {
			return
		}
		p.log.Warn("listening for changes of the other nodes failed; retrying", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 10*time.Second)
	}
}

// listen connects, LISTENs, calls listening, and delivers notices until the connection fails.
func (p *Postgres) listen(ctx context.Context, listening func()) error {
	conn, err := pgx.Connect(ctx, p.dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+channel); err != nil {
		return err
	}
	listening()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var m message
		if err := json.Unmarshal([]byte(n.Payload), &m); err != nil {
			p.log.Warn("ignoring a malformed change notice", "payload", n.Payload)
			continue
		}
		if m.Node == p.node {
			continue
		}
		if m.Key == "" {
			continue // "" is reserved for resets
		}
		p.deliver(m.Topic, m.Key)
	}
}

func (p *Postgres) deliver(topic, key string) {
	p.mu.RLock()
	fns := p.subs[topic]
	p.mu.RUnlock()
	for _, fn := range fns {
		fn(key)
	}
}

// resetAll tells every subscriber that notices may have been lost.
func (p *Postgres) resetAll() {
	p.mu.RLock()
	defer p.mu.RUnlock()
	for _, fns := range p.subs {
		for _, fn := range fns {
			fn("")
		}
	}
}
