package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
)

const repoRoot = "../../.."

// TestVendoredFilesMatchLockfile: each vendor directory holds exactly the files its VERSIONS
// lists, with their hashes, of exactly the versions package.json and package-lock.json pin;
// the files Lotse serves come from dependencies, the files only tests use from
// devDependencies.
func TestVendoredFilesMatchLockfile(t *testing.T) {
	lock, err := ReadLock(filepath.Join(repoRoot, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	var pj struct {
		Dependencies    map[string]string `json:"dependencies"`
		DevDependencies map[string]string `json:"devDependencies"`
	}
	b, err := os.ReadFile(filepath.Join(repoRoot, "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &pj); err != nil {
		t.Fatal(err)
	}
	exact := regexp.MustCompile(`^\d+\.\d+\.\d+$`)
	for _, deps := range []map[string]string{pj.Dependencies, pj.DevDependencies} {
		for name, v := range deps {
			if !exact.MatchString(v) {
				t.Errorf("package.json: %s %q is not an exact version (npm install --save-exact)", name, v)
			}
			if lock[name] != v {
				t.Errorf("package.json pins %s %s, package-lock.json has %q (run npm install)", name, v, lock[name])
			}
		}
	}
	for _, tg := range targets {
		t.Run(tg.Dir, func(t *testing.T) {
			deps, kind := pj.Dependencies, "dependency"
			if tg.Dev {
				deps, kind = pj.DevDependencies, "devDependency"
			}
			checkVendorDir(t, tg, lock, deps, kind)
		})
	}
}

func checkVendorDir(t *testing.T, tg target, lock, deps map[string]string, kind string) {
	vendorDir := filepath.Join(repoRoot, filepath.FromSlash(tg.Dir))
	raw, err := os.ReadFile(filepath.Join(vendorDir, VersionsFile))
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseManifest(raw)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, p := range tg.Packages {
		want = append(want, p.Name)
		if deps[p.Name] == "" {
			t.Errorf("%s is vendored into %s but not a %s in package.json", p.Name, tg.Dir, kind)
		}
	}
	var got []string
	for _, p := range m.Packages {
		got = append(got, p.Name)
		if lock[p.Name] != p.Version {
			t.Errorf("%s holds %s %s, package-lock.json pins %q: run `make vendor`", tg.Dir, p.Name, p.Version, lock[p.Name])
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s/VERSIONS lists packages %v, the vendoring command copies %v: run `make vendor`", tg.Dir, got, want)
	}

	onDisk, err := walkFiles(vendorDir)
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]string{}
	for _, f := range m.Files {
		listed[f.Path] = f.SHA256
	}
	for _, f := range onDisk {
		if f == VersionsFile {
			continue
		}
		sum, ok := listed[f]
		if !ok {
			t.Errorf("%s/%s is not in VERSIONS: vendored files come only from `make vendor`", tg.Dir, f)
			continue
		}
		delete(listed, f)
		b, err := os.ReadFile(filepath.Join(vendorDir, filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256(b)
		if hex.EncodeToString(h[:]) != sum {
			t.Errorf("%s/%s was changed by hand: run `make vendor`", tg.Dir, f)
		}
	}
	for f := range listed {
		t.Errorf("%s/%s is listed in VERSIONS but missing", tg.Dir, f)
	}
}

// TestVendoringReproduces runs the vendoring into a temporary directory and compares the
// result with the committed copy, when node_modules holds the locked versions (after
// `npm ci`); without node_modules the test above still checks the committed files.
func TestVendoringReproduces(t *testing.T) {
	lock, err := ReadLock(filepath.Join(repoRoot, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	nm := filepath.Join(repoRoot, "node_modules")
	for _, tg := range targets {
		t.Run(tg.Dir, func(t *testing.T) {
			for _, p := range tg.Packages {
				v, err := installedVersion(filepath.Join(nm, filepath.FromSlash(p.Name)))
				if err != nil || v != lock[p.Name] {
					t.Logf("node_modules does not hold %s %s (run `npm ci`); only the committed files are checked", p.Name, lock[p.Name])
					return
				}
			}
			out := t.TempDir()
			if err := run(repoRoot, nm, tg.Packages, out); err != nil {
				t.Fatal(err)
			}
			fresh, err := os.ReadFile(filepath.Join(out, VersionsFile))
			if err != nil {
				t.Fatal(err)
			}
			committed, err := os.ReadFile(filepath.Join(repoRoot, filepath.FromSlash(tg.Dir), VersionsFile))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(fresh, committed) {
				t.Errorf("`make vendor` would change %s:\n%s\nwant\n%s", tg.Dir, fresh, committed)
			}
		})
	}
}

func TestLocalURLs(t *testing.T) {
	css := []byte(`@font-face{src:url("./a/b.woff2") format('woff2'),url(./c.woff?v=1#x)}` +
		`.i{mask:url("data:image/svg+xml,%3Csvg%3E")}.j{background:url('/abs.png')}.k{background:url(https://x.example/y.png)}.l{src:url( 'd.svg' )}`)
	got := LocalURLs(css)
	want := []string{"./a/b.woff2", "./c.woff", "d.svg"}
	if !slices.Equal(got, want) {
		t.Errorf("LocalURLs = %q, want %q", got, want)
	}
}
