// Command ferretdb-embedded runs FerretDB v1.24.2 (SQLite backend) through its official
// embeddable package. We build this launcher instead of `go install .../cmd/ferretdb` because
// a module-proxy build of cmd/ferretdb lacks the generated build/version/version.txt and
// panics at start; the embeddable package skips that check.
//
// It stops when it receives SIGINT/SIGTERM or, with -exit-on-stdin-close, when its parent
// closes stdin (so a crashed Node process never leaves an orphaned database server behind).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	dataDir := flag.String("data-dir", "", "existing directory for the SQLite files (one per database)")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	exitOnStdinClose := flag.Bool("exit-on-stdin-close", false, "stop when stdin reaches EOF")
	flag.Parse()

	if *dataDir == "" {
		fmt.Fprintln(os.Stderr, "ferretdb-embedded: -data-dir is required")
		os.Exit(2)
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb-embedded: bad -log-level:", err)
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + *dataDir + "/",
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb-embedded:", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *exitOnStdinClose {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	if err := f.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb-embedded:", err)
		os.Exit(1)
	}
}
