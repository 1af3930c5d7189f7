package image

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

const (
	repoRoot    = "../.."
	testVersion = "v9.8.7-imagetest"
	testRev     = "0123456789abcdef0123456789abcdef01234567"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// makeBuildLDFlags are the ldflags of `make build`, read from the Makefile, with $(VERSION)
// replaced: the test builds the binary exactly as the release does.
func makeBuildLDFlags(t *testing.T, version string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^LDFLAGS\s*:=\s*(.+)$`).FindSubmatch(b)
	if m == nil {
		t.Fatal("the Makefile has no LDFLAGS := line")
	}
	if !bytes.Contains(b, []byte("CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/lotse ./cmd/lotse")) {
		t.Fatal("make build no longer reads CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/lotse ./cmd/lotse: adjust this test")
	}
	return strings.ReplaceAll(string(m[1]), "$(VERSION)", version)
}

// productionBinary builds cmd/lotse as `make build` does (CGO_ENABLED=0, -trimpath, the same
// ldflags; no -race) into a temporary directory, once per test binary.
func productionBinary(t *testing.T) string {
	t.Helper()
	ldflags := makeBuildLDFlags(t, testVersion)
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "lotse-image-test-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "lotse")
		buildErr = goBuild(repoRoot, builtBin, "0", "-trimpath", "-ldflags", ldflags, "./cmd/lotse")
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

func goBuild(dir, out, cgo string, args ...string) error {
	return goBuildFor(dir, out, cgo, "linux", args...)
}

func goBuildFor(dir, out, cgo, goos string, args ...string) error {
	cmd := exec.Command("go", append([]string{"build", "-o", out}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED="+cgo, "GOFLAGS=", "GOOS="+goos)
	if out, err := cmd.CombinedOutput(); err != nil {
		return errors.New("go build " + strings.Join(args, " ") + ": " + err.Error() + "\n" + string(out))
	}
	return nil
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builtBin != "" {
		os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}

// entry is one file of the image's file system, as the layers' tar headers say.
type entry struct {
	typ      byte
	mode     int64
	uid, gid int
	data     []byte
}

// The image built from a freshly built production binary: the config (user, entrypoint,
// command, port, environment, labels), the manifest's annotations, and a file system that is
// exactly the binary and its data, owned by root, the binary unchanged. Both ways in (the OCI
// layout's index.json and docker-save's manifest.json) give the same image, and a second build
// gives the same bytes.
func TestImageFromTheProductionBinary(t *testing.T) {
	bin := productionBinary(t)
	out := filepath.Join(t.TempDir(), "lotse-image.tar")
	created := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	opts := Options{Binary: bin, CACertificates: "/etc/ssl/certs/ca-certificates.crt", Revision: testRev, Created: created}
	info, digest, err := WriteFile(out, opts)
	if err != nil {
		t.Fatal(err)
	}
	if info.Version != testVersion {
		t.Errorf("version %q, want %q (what the binary prints)", info.Version, testVersion)
	}

	dir := t.TempDir()
	untar(t, out, dir)
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatalf("not an OCI image layout: %v", err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Manifests) != 1 {
		t.Fatalf("index.json lists %d manifests, want 1", len(im.Manifests))
	}
	if got := im.Manifests[0].Annotations["io.containerd.image.name"]; got != "lotse:"+testVersion {
		t.Errorf("index.json names the image %q, want lotse:%s", got, testVersion)
	}
	if im.Manifests[0].Digest != digest {
		t.Errorf("index.json points at %s, WriteFile said %s", im.Manifests[0].Digest, digest)
	}
	img, err := idx.Image(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}

	wantLabels := map[string]string{
		"org.opencontainers.image.title":       "Lotse",
		"org.opencontainers.image.description": "Case and task tracking for a city's integration management",
		"org.opencontainers.image.version":     testVersion,
		"org.opencontainers.image.source":      "https://github.com/lotse-project/lotse",
		"org.opencontainers.image.revision":    testRev,
		"org.opencontainers.image.licenses":    "EUPL-1.2",
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(m.Annotations, wantLabels) {
		t.Errorf("manifest annotations %v, want %v", m.Annotations, wantLabels)
	}
	if m.MediaType != "application/vnd.oci.image.manifest.v1+json" || m.Config.MediaType != "application/vnd.oci.image.config.v1+json" {
		t.Errorf("media types %s / %s, want the OCI ones", m.MediaType, m.Config.MediaType)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cf.Config
	if c.User != "65532:65532" {
		t.Errorf("User %q, want 65532:65532", c.User)
	}
	if !slices.Equal(c.Entrypoint, []string{"/lotse"}) || !slices.Equal(c.Cmd, []string{"serve"}) {
		t.Errorf("Entrypoint %q Cmd %q, want [/lotse] [serve]", c.Entrypoint, c.Cmd)
	}
	if !maps.Equal(c.ExposedPorts, map[string]struct{}{"8080/tcp": {}}) {
		t.Errorf("ExposedPorts %v, want exactly 8080/tcp", c.ExposedPorts)
	}
	if !slices.Equal(c.Env, []string{"LOTSE_HTTP_ADDR=:8080"}) {
		t.Errorf("Env %q, want [LOTSE_HTTP_ADDR=:8080]", c.Env)
	}
	if !maps.Equal(c.Labels, wantLabels) {
		t.Errorf("labels %v, want %v", c.Labels, wantLabels)
	}
	if c.Healthcheck != nil {
		t.Errorf("the image has a HEALTHCHECK %v; probes come from the orchestrator", c.Healthcheck)
	}
	if cf.OS != "linux" || cf.Architecture != info.Arch || !cf.Created.Time.Equal(created) {
		t.Errorf("os/arch/created %s/%s/%s, want linux/%s/%s", cf.OS, cf.Architecture, cf.Created.Time, info.Arch, created)
	}

	files := fileSystem(t, img)
	want := []string{"etc/", "etc/group", "etc/passwd", "etc/ssl/", "etc/ssl/certs/", "etc/ssl/certs/ca-certificates.crt", "lotse", "tmp/"}
	if got := slices.Sorted(maps.Keys(files)); !slices.Equal(got, want) {
		t.Fatalf("the image holds %q, want exactly %q", got, want)
	}
	binData, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	certs, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt")
	if err != nil {
		t.Fatal(err)
	}
	for name, e := range files {
		if e.uid != 0 || e.gid != 0 {
			t.Errorf("%s is owned by %d:%d, want root: the server's user must not change its own files", name, e.uid, e.gid)
		}
		wantType, wantMode := byte(tar.TypeReg), int64(0o644)
		switch {
		case name == "tmp/":
			wantType, wantMode = tar.TypeDir, 0o1777
		case strings.HasSuffix(name, "/"):
			wantType, wantMode = tar.TypeDir, 0o755
		case name == "lotse":
			wantMode = 0o755
		}
		if e.typ != wantType || e.mode != wantMode {
			t.Errorf("%s is type %c mode %o, want type %c mode %o", name, e.typ, e.mode, wantType, wantMode)
		}
	}
	if !bytes.Equal(files["lotse"].data, binData) {
		t.Error("/lotse in the image differs from the binary")
	}
	if !bytes.Equal(files["etc/ssl/certs/ca-certificates.crt"].data, certs) {
		t.Error("the image's CA certificates differ from the bundle given")
	}
	if string(files["etc/passwd"].data) != Passwd || !strings.Contains(Passwd, ":65532:65532:") {
		t.Errorf("/etc/passwd is %q", files["etc/passwd"].data)
	}
	if string(files["etc/group"].data) != Group || !strings.Contains(Group, ":65532:") {
		t.Errorf("/etc/group is %q", files["etc/group"].data)
	}

	// docker-save's manifest.json (docker load before Docker 25, crane push) names the same
	// config and layers.
	legacy, err := tarball.ImageFromPath(out, nil)
	if err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	lc, err1 := legacy.ConfigName()
	oc, err2 := img.ConfigName()
	if err1 != nil || err2 != nil || lc != oc {
		t.Errorf("manifest.json's config %s differs from the OCI manifest's %s (%v, %v)", lc, oc, err1, err2)
	}
	ll, _ := legacy.Layers()
	ol, _ := img.Layers()
	if len(ll) != len(ol) || len(ol) != 2 {
		t.Fatalf("manifest.json has %d layers, the OCI manifest %d, want 2 each", len(ll), len(ol))
	}
	for i := range ll {
		a, _ := ll[i].DiffID()
		b, _ := ol[i].DiffID()
		if a != b {
			t.Errorf("layer %d: manifest.json %s, OCI %s", i, a, b)
		}
	}

	again := filepath.Join(t.TempDir(), "again.tar")
	if _, _, err := WriteFile(again, opts); err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(out)
	second, _ := os.ReadFile(again)
	if !bytes.Equal(first, second) {
		t.Error("two builds of the same binary differ: the image is not reproducible")
	}
}

// fileSystem reads every layer's tar, in order, into one map by name.
func fileSystem(t *testing.T, img v1.Image) map[string]entry {
	t.Helper()
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]entry{}
	for _, l := range layers {
		mt, err := l.MediaType()
		if err != nil || mt != "application/vnd.oci.image.layer.v1.tar+gzip" {
			t.Errorf("layer media type %s (%v), want the OCI gzip layer", mt, err)
		}
		rc, err := l.Compressed()
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(rc)
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(zr)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			data, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			if _, dup := files[h.Name]; dup {
				t.Errorf("%s is in two layers", h.Name)
			}
			files[h.Name] = entry{typ: h.Typeflag, mode: h.Mode, uid: h.Uid, gid: h.Gid, data: data}
		}
		rc.Close()
	}
	return files
}

func untar(t *testing.T, path, dir string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.FromSlash(h.Name))
		if !strings.HasPrefix(p, dir+string(filepath.Separator)) {
			t.Fatalf("the tar file names %q outside itself", h.Name)
		}
		if h.Typeflag == tar.TypeDir {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Only the static production binary goes in: a program built from another main package (the
// development variant would be one) and a dynamically linked binary are refused, and so is a
// bundle without certificates.
func TestImageRefusesWhatCannotRunInIt(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/other\n\ngo 1.26\n")
	write("main.go", "package main\n\nfunc main() { println(\"lotse x\") }\n")
	other := filepath.Join(dir, "other")
	if err := goBuild(dir, other, "0", "."); err != nil {
		t.Fatal(err)
	}
	certs := "/etc/ssl/certs/ca-certificates.crt"
	if _, _, err := Build(Options{Binary: other, CACertificates: certs}); err == nil || !strings.Contains(err.Error(), "only the production binary") {
		t.Errorf("another program: %v, want a refusal naming the production binary", err)
	}

	cgoDir := filepath.Join(dir, "cgo")
	if err := os.Mkdir(cgoDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cgoDir, "go.mod"), []byte("module github.com/lotse-project/lotse\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(cgoDir, "cmd", "lotse"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cgoDir, "cmd", "lotse", "main.go"), []byte("package main\n\n// int one(void) { return 1; }\nimport \"C\"\n\nfunc main() { println(C.one()) }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dynamic := filepath.Join(dir, "dynamic")
	if err := goBuild(cgoDir, dynamic, "1", "./cmd/lotse"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Build(Options{Binary: dynamic, CACertificates: certs}); err == nil || !strings.Contains(err.Error(), "linked dynamically") {
		t.Errorf("a dynamically linked binary: %v, want a refusal asking for CGO_ENABLED=0", err)
	}
	if err := os.WriteFile(filepath.Join(cgoDir, "cmd", "lotse", "main.go"), []byte("package main\n\nfunc main() { println(\"lotse x\") }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	freebsd := filepath.Join(dir, "freebsd")
	if err := goBuildFor(cgoDir, freebsd, "0", "freebsd", "./cmd/lotse"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Build(Options{Binary: freebsd, CACertificates: certs, Version: "v1"}); err == nil || !strings.Contains(err.Error(), "not linux") {
		t.Errorf("a binary for FreeBSD: %v, want a refusal", err)
	}

	bin := productionBinary(t)
	empty := filepath.Join(dir, "empty.pem")
	write("empty.pem", "no certificates here\n")
	if _, _, err := Build(Options{Binary: bin, CACertificates: empty}); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Errorf("a bundle without certificates: %v, want a refusal", err)
	}
	if _, _, err := Build(Options{Binary: bin, CACertificates: certs, Version: "v0.0.0-other"}); err == nil || !strings.Contains(err.Error(), "not v0.0.0-other") {
		t.Errorf("a version the binary does not print: %v, want a refusal", err)
	}
}

// deploy/Dockerfile builds the same image as this package: its final stage starts from
// nothing, copies the same files (the passwd and group of deploy/rootfs equal Passwd and
// Group), builds with make build, and states the same user, entrypoint, command, port,
// environment and label keys, with no HEALTHCHECK.
func TestDockerfileMatchesTheBuilder(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot, "deploy", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	stages := dockerfileStages(string(b))
	if len(stages) != 2 {
		t.Fatalf("deploy/Dockerfile has %d stages, want 2 (build, final)", len(stages))
	}
	build, final := stages[0], stages[1]
	has := func(ins []instruction, op, args string) bool {
		return slices.ContainsFunc(ins, func(i instruction) bool { return i.op == op && i.args == args })
	}
	for _, st := range stages {
		for _, i := range st {
			if i.op == "HEALTHCHECK" {
				t.Error("deploy/Dockerfile has a HEALTHCHECK; the orchestrator probes /healthz and /readyz")
			}
		}
	}
	if !slices.ContainsFunc(build, func(i instruction) bool { return i.op == "RUN" && strings.HasPrefix(i.args, "make build ") }) {
		t.Error("the build stage does not run make build (the ldflags and CGO_ENABLED=0 live there)")
	}
	if !slices.ContainsFunc(build, func(i instruction) bool {
		return i.op == "RUN" && strings.Contains(i.args, "cp /etc/ssl/certs/ca-certificates.crt /rootfs"+CACertificatesPath) &&
			strings.Contains(i.args, "chmod 1777 /rootfs/tmp") && strings.Contains(i.args, "cp deploy/rootfs/etc/passwd deploy/rootfs/etc/group /rootfs/etc/")
	}) {
		t.Error("the build stage does not lay out /rootfs as internal/image does (CA certificates, /tmp 1777, passwd, group)")
	}
	want := []instruction{
		{"FROM", "scratch"},
		{"COPY", "--from=build /rootfs/ /"},
		{"COPY", "--from=build --chmod=0755 /src/bin/lotse " + BinaryPath},
		{"USER", User},
		{"ENV", Env[0]},
		{"EXPOSE", Port},
		{"ENTRYPOINT", jsonArray(t, Entrypoint)},
		{"CMD", jsonArray(t, Cmd)},
	}
	for _, w := range want {
		if !has(final, w.op, w.args) {
			t.Errorf("the final stage lacks %s %s", w.op, w.args)
		}
	}
	var copies, envs, exposes int
	var labelKeys []string
	for _, i := range final {
		switch i.op {
		case "COPY", "ADD", "RUN":
			copies++
		case "ENV":
			envs++
		case "EXPOSE":
			exposes++
		case "LABEL":
			for _, m := range regexp.MustCompile(`([a-z.]+)=("[^"]*"|\S+)`).FindAllStringSubmatch(i.args, -1) {
				labelKeys = append(labelKeys, m[1])
				v := strings.Trim(m[2], `"`)
				if m[1] == "org.opencontainers.image.licenses" && v != Licence {
					t.Errorf("the licence label is %q, want %s", v, Licence)
				}
			}
		}
	}
	if copies != 2 || envs != len(Env) || exposes != 1 {
		t.Errorf("the final stage has %d COPY/ADD/RUN, %d ENV, %d EXPOSE; want 2, %d, 1: nothing but the binary and its data", copies, envs, exposes, len(Env))
	}
	slices.Sort(labelKeys)
	if wantKeys := slices.Sorted(maps.Keys(Labels("v", "", "r"))); !slices.Equal(labelKeys, wantKeys) {
		t.Errorf("the Dockerfile labels %q, the builder %q", labelKeys, wantKeys)
	}
	for name, text := range map[string]string{"passwd": Passwd, "group": Group} {
		got, err := os.ReadFile(filepath.Join(repoRoot, "deploy", "rootfs", "etc", name))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != text {
			t.Errorf("deploy/rootfs/etc/%s is %q, internal/image puts %q", name, got, text)
		}
	}
}

type instruction struct{ op, args string }

// dockerfileStages splits a Dockerfile into its stages' instructions (comments dropped,
// continuation lines joined, whitespace collapsed).
func dockerfileStages(text string) [][]instruction {
	var stages [][]instruction
	var logical []string
	cur := ""
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && cur == "") {
			continue
		}
		if strings.HasSuffix(trimmed, "\\") {
			cur += strings.TrimSuffix(trimmed, "\\") + " "
			continue
		}
		logical = append(logical, cur+trimmed)
		cur = ""
	}
	for _, l := range logical {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		in := instruction{op: strings.ToUpper(f[0]), args: strings.Join(f[1:], " ")}
		if in.op == "FROM" {
			in.args = strings.Fields(in.args)[0]
			stages = append(stages, nil)
		}
		if len(stages) == 0 {
			continue // ARG before the first FROM
		}
		stages[len(stages)-1] = append(stages[len(stages)-1], in)
	}
	return stages
}

func jsonArray(t *testing.T, s []string) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(b), ",", ", ")
}
