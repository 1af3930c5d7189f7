package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/alecthomas/kong"

	"github.com/lotse-project/lotse/internal/config"
)

// version is set at build time with -ldflags "-X github.com/lotse-project/lotse/internal/app.version=v1.2.3".
var version = ""

// Version returns the build's version: the ldflags value, else the module version or VCS
// revision recorded by the Go toolchain, else "dev".
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			return bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return "dev"
}

// CLI is the grammar of the production lotse command. The configuration is global, so every
// setting can be given as LOTSE_* variable or as flag to every command.
type CLI struct {
	config.Config `embed:""`

	Serve     ServeCmd     `cmd:"" help:"Run the Lotse server (production)."`
	Migrate   MigrateCmd   `cmd:"" help:"Manage the database schema."`
	Directory DirectoryCmd `cmd:"" help:"Apply the declarative directory of organisations, accounts and grants."`
	Policy    PolicyCmd    `cmd:"" help:"Explain decisions and print the permission matrix."`
	Privacy   PrivacyCmd   `cmd:"" help:"Print the record of processing activities and the deletion concept from the data catalogue."`
	Jobs      JobsCmd      `cmd:"" help:"List the background jobs that failed (retrying or given up) with their last error."`
	Audit     AuditCmd     `cmd:"" help:"Verify, seal and prune the tamper-evident audit chain; make its signing key."`
	Version   VersionCmd   `cmd:"" help:"Print the version."`
}

// Command is a command that only another build of lotse carries: the development variant
// (cmd/lotse-dev, package devapp) adds `dev` and `seed demo` to the production grammar, so
// that the production binary (cmd/lotse) links none of their code. Cmd is a kong command
// struct whose Run method takes (*config.Config, *Env).
type Command struct {
	Name, Help string
	Cmd        any
}

// Env is what a command needs from its surroundings; tests substitute writers.
type Env struct {
	Ctx    context.Context
	Stdout io.Writer
	Stderr io.Writer
}

// Main runs the lotse command with args (without the program name) and the extra commands of
// its build, and returns the exit code. Every failure ends in exactly one line "lotse: ..."
// on stderr and a non-zero code.
func Main(args []string, stdout, stderr io.Writer, extra ...Command) int {
	var cli CLI
	exitCode := -1
	opts := []kong.Option{
		kong.Name("lotse"),
		kong.Description("Lotse: case and task tracking for a city's integration management."),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { exitCode = code }),
		kong.Resolvers(config.FileResolver()),
		kong.UsageOnError(),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
	}
	for _, c := range extra {
		opts = append(opts, kong.DynamicCommand(c.Name, c.Help, "", c.Cmd))
	}
	parser, err := kong.New(&cli, opts...)
	if err != nil {
		fmt.Fprintf(stderr, "lotse: %v\n", err)
		return 2
	}
	kctx, err := parser.Parse(args)
	if exitCode >= 0 { // --help was printed
		return exitCode
	}
	if err != nil {
		fmt.Fprintf(stderr, "lotse: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	e := &Env{Ctx: ctx, Stdout: stdout, Stderr: stderr}
	if err := kctx.Run(&cli.Config, e); err != nil {
		var cerr *config.Error
		if errors.As(err, &cerr) {
			fmt.Fprintf(stderr, "lotse: %v\n", err)
			return 2
		}
		fmt.Fprintf(stderr, "lotse: %v\n", err)
		return 1
	}
	return 0
}

// Run is the entry point of cmd/lotse (no extra commands) and cmd/lotse-dev.
func Run(extra ...Command) { os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr, extra...)) }

// VersionCmd prints the version.
type VersionCmd struct{}

// Run prints the version.
func (VersionCmd) Run(_ *config.Config, e *Env) error {
	_, err := fmt.Fprintln(e.Stdout, "lotse", Version())
	return err
}
