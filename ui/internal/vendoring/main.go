// Command vendoring copies the front-end files that Lotse serves (KERN's CSS and fonts, htmx)
// from node_modules into ui/static/vendor, and the files only the tests use (axe-core for the
// browser tests' accessibility checks) into internal/e2e/testdata/vendor, and records what it
// copied in a VERSIONS file in each. The vendored files are committed, so that a fresh clone
// builds and tests without npm; `make vendor` runs `npm ci` and then this command from the
// repository root.
//
// Only the files listed in packages below are copied, plus every file a copied stylesheet
// references with a relative url(...) (the fonts), so nothing unused reaches the binary.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// pkg is one npm package and the files taken from it. Files are paths inside the package;
// they land under ui/static/vendor/<Dir>/ with the package's "dist/" prefix removed.
type pkg struct {
	Name  string
	Dir   string
	Files []string
}

// target is one vendor directory: the packages copied into it and whether they are
// devDependencies (used by tests only, never embedded in the binary) or dependencies.
type target struct {
	Dir      string // relative to the repository root, slash-separated
	Dev      bool
	Packages []pkg
}

// targets are the vendor directories. Each is replaced as a whole by a run, so nothing else
// may live in it.
var targets = []target{
	{Dir: "ui/static/vendor", Packages: packages},
	{Dir: "internal/e2e/testdata/vendor", Dev: true, Packages: testPackages},
}

// testPackages are the packages the browser tests inject into pages (internal/e2e).
var testPackages = []pkg{
	{Name: "axe-core", Dir: "axe-core", Files: []string{
		"axe.min.js",
		"LICENSE",
	}},
}

// packages are the front-end packages Lotse serves. Their exact versions come from
// package-lock.json.
var packages = []pkg{
	{Name: "@kern-ux/native", Dir: "kern", Files: []string{
		"dist/kern.min.css",
		"dist/fonts/fira-sans.css", // the KERN font; its url(...)s bring the font files
		"LICENSE.md",
	}},
	{Name: "htmx.org", Dir: "htmx", Files: []string{
		"dist/htmx.min.js",
		"LICENSE",
	}},
}

// VersionsFile is the manifest written next to the vendored files.
const VersionsFile = "VERSIONS"

func main() {
	root := flag.String("root", ".", "repository root (holds package-lock.json and node_modules)")
	flag.Parse()
	for _, t := range targets {
		out := filepath.Join(*root, filepath.FromSlash(t.Dir))
		if err := run(*root, filepath.Join(*root, "node_modules"), t.Packages, out); err != nil {
			fmt.Fprintln(os.Stderr, "vendoring:", err)
			os.Exit(1)
		}
		fmt.Println("vendored into", out)
	}
}

// run replaces out with the files of packages taken from nodeModules, after checking that the
// installed packages are the versions package-lock.json pins.
func run(root, nodeModules string, packages []pkg, out string) error {
	lock, err := ReadLock(filepath.Join(root, "package-lock.json"))
	if err != nil {
		return err
	}
	files := map[string][]byte{} // path under out -> content
	var manifest Manifest
	for _, p := range packages {
		want, ok := lock[p.Name]
		if !ok {
			return fmt.Errorf("%s is not in package-lock.json", p.Name)
		}
		dir := filepath.Join(nodeModules, filepath.FromSlash(p.Name))
		got, err := installedVersion(dir)
		if err != nil {
			return fmt.Errorf("%s: %w (run `npm ci`)", p.Name, err)
		}
		if got != want {
			return fmt.Errorf("%s %s is installed, package-lock.json pins %s (run `npm ci`)", p.Name, got, want)
		}
		manifest.Packages = append(manifest.Packages, Package{Name: p.Name, Version: want})
		queue := append([]string(nil), p.Files...)
		seen := map[string]bool{}
		for len(queue) > 0 {
			src := queue[0]
			queue = queue[1:]
			if seen[src] {
				continue
			}
			seen[src] = true
			b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(src)))
			if err != nil {
				return fmt.Errorf("%s: %w", p.Name, err)
			}
			dst := path.Join(p.Dir, strings.TrimPrefix(src, "dist/"))
			files[dst] = b
			if strings.HasSuffix(src, ".css") {
				for _, ref := range LocalURLs(b) {
					queue = append(queue, path.Join(path.Dir(src), ref))
				}
			}
		}
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		sum := sha256.Sum256(files[n])
		manifest.Files = append(manifest.Files, File{Path: n, SHA256: hex.EncodeToString(sum[:])})
	}

	if err := os.RemoveAll(out); err != nil {
		return err
	}
	for _, n := range names {
		p := filepath.Join(out, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, files[n], 0o644); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(out, VersionsFile), manifest.Bytes(), 0o644)
}

// ReadLock returns the version of every package installed at the top of node_modules, as
// package-lock.json (lockfileVersion 2 or 3) records it.
func ReadLock(file string) (map[string]string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var lock struct {
		Packages map[string]struct {
			Version string `json:"version"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(b, &lock); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	out := map[string]string{}
	for k, v := range lock.Packages {
		if name, ok := strings.CutPrefix(k, "node_modules/"); ok && !strings.Contains(name, "/node_modules/") {
			out[name] = v.Version
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s lists no packages (lockfileVersion 2 or 3 expected)", file)
	}
	return out, nil
}

func installedVersion(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return "", err
	}
	var p struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return "", err
	}
	return p.Version, nil
}

var cssURL = regexp.MustCompile(`url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)`)

// LocalURLs lists the relative references of url(...) in a stylesheet, without query and
// fragment; data:, absolute and root-relative references are left out.
func LocalURLs(css []byte) []string {
	var out []string
	for _, m := range cssURL.FindAllSubmatch(css, -1) {
		ref := string(bytes.Join(m[1:], nil))
		if ref == "" || strings.HasPrefix(ref, "data:") || strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, "#") || strings.Contains(ref, ":") {
			continue
		}
		if i := strings.IndexAny(ref, "?#"); i >= 0 {
			ref = ref[:i]
		}
		out = append(out, ref)
	}
	return out
}

// Manifest is the content of VERSIONS: the packages and every vendored file with its hash.
type Manifest struct {
	Packages []Package
	Files    []File
}

// Package is one vendored npm package at its exact version.
type Package struct{ Name, Version string }

// File is one vendored file, relative to ui/static/vendor.
type File struct{ Path, SHA256 string }

// Bytes renders the manifest, one line per package and file.
func (m Manifest) Bytes() []byte {
	var b bytes.Buffer
	b.WriteString("# Written by `make vendor` (go run ./ui/internal/vendoring) from package-lock.json. Do not edit.\n")
	for _, p := range m.Packages {
		fmt.Fprintf(&b, "package %s %s\n", p.Name, p.Version)
	}
	for _, f := range m.Files {
		fmt.Fprintf(&b, "file %s %s\n", f.Path, f.SHA256)
	}
	return b.Bytes()
}

// ParseManifest reads VERSIONS.
func ParseManifest(b []byte) (Manifest, error) {
	var m Manifest
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		switch {
		case len(f) == 3 && f[0] == "package":
			m.Packages = append(m.Packages, Package{Name: f[1], Version: f[2]})
		case len(f) == 3 && f[0] == "file":
			m.Files = append(m.Files, File{Path: f[1], SHA256: f[2]})
		default:
			return m, fmt.Errorf("VERSIONS line %d: %q", i+1, line)
		}
	}
	if len(m.Packages) == 0 || len(m.Files) == 0 {
		return m, errors.New("VERSIONS lists no packages or no files")
	}
	return m, nil
}

// walkFiles lists the regular files under dir, slash-separated and relative to it.
func walkFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return err
	})
	return out, err
}
