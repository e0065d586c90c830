package notify_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"arca/internal/notify"
	"arca/internal/pgtest"
)

// received collects what a subscriber was called with.
type received chan string

func (r received) next(t *testing.T, what string) string {
	t.Helper()
	select {
	case k := <-r:
		return k
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: nothing delivered within 5 s", what)
		return ""
	}
}

func (r received) none(t *testing.T, what string) {
	t.Helper()
	select {
	case k := <-r:
		t.Fatalf("%s: got %q, want nothing", what, k)
	case <-time.After(200 * time.Millisecond):
	}
}

func startBus(t *testing.T, dsn, node string) (*notify.Postgres, received) {
	t.Helper()
	bus, err := notify.NewPostgres(dsn, node, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := make(received, 16)
	bus.Subscribe(notify.Items, func(k string) { got <- k })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { bus.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-bus.Ready():
	case <-time.After(30 * time.Second):
		t.Fatal("bus not listening after 30 s")
	}
	return bus, got
}

// TestPostgresBus: a notice reaches the other process's subscribers of its topic and not the
// sender's; a lost listening connection comes back with a reset, since notices sent while it
// was gone are lost.
func TestPostgresBus(t *testing.T) {
	pg := pgtest.Start(t)
	dsn := pg.NewDB(t)
	a, gotA := startBus(t, dsn, "node-a")
	_, gotB := startBus(t, dsn, "node-b")

	a.Publish(context.Background(), notify.Items, "libs-local")
	if k := gotB.next(t, "a's notice on b"); k != "libs-local" {
		t.Fatalf("b got %q, want libs-local", k)
	}
	gotA.none(t, "a's own notice on a")
	a.Publish(context.Background(), notify.Users, "dev")
	gotB.none(t, "a notice of another topic")

	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("terminating the listening connections: %d, %v; want 2", n, err)
	}
	if k := gotB.next(t, "b's reset after reconnecting"); k != "" {
		t.Fatalf("after its connection dropped b got %q, want the reset \"\"", k)
	}
	if k := gotA.next(t, "a's reset after reconnecting"); k != "" {
		t.Fatalf("after its connection dropped a got %q, want the reset \"\"", k)
	}
	a.Publish(context.Background(), notify.Items, "after")
	if k := gotB.next(t, "a notice after the reconnect"); k != "after" {
		t.Fatalf("b got %q, want after", k)
	}
}
