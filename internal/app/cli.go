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

// CLI is the grammar of the lotse command. The configuration is global, so every setting can
// be given as LOTSE_* variable or as flag to every command.
type CLI struct {
	config.Config `embed:""`

	Serve     ServeCmd     `cmd:"" help:"Run the Lotse server (production)."`
	Dev       DevCmd       `cmd:"" help:"Run Lotse for development: local PostgreSQL, migrations, demo data."`
	Migrate   MigrateCmd   `cmd:"" help:"Manage the database schema."`
	Seed      SeedCmd      `cmd:"" help:"Load data into the database."`
	Directory DirectoryCmd `cmd:"" help:"Apply the declarative directory of organisations, accounts and grants."`
	Policy    PolicyCmd    `cmd:"" help:"Explain decisions and print the permission matrix."`
	Version   VersionCmd   `cmd:"" help:"Print the version."`
}

// env is what a command needs from its surroundings; tests substitute writers.
type env struct {
	ctx    context.Context
	stdout io.Writer
	stderr io.Writer
}

// Main runs the lotse command with args (without the program name) and returns the exit code.
// Every failure ends in exactly one line "lotse: ..." on stderr and a non-zero code.
func Main(args []string, stdout, stderr io.Writer) int {
	var cli CLI
	exitCode := -1
	parser, err := kong.New(&cli,
		kong.Name("lotse"),
		kong.Description("Lotse: case and task tracking for a city's integration management."),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { exitCode = code }),
		kong.Resolvers(config.FileResolver()),
		kong.UsageOnError(),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
	)
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
	e := &env{ctx: ctx, stdout: stdout, stderr: stderr}
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

// Run is the entry point for cmd/lotse.
func Run() { os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr)) }

// VersionCmd prints the version.
type VersionCmd struct{}

// Run prints the version.
func (VersionCmd) Run(_ *config.Config, e *env) error {
	_, err := fmt.Fprintln(e.stdout, "lotse", Version())
	return err
}
