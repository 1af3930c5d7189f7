// Package image builds Lotse's container image without a Docker daemon: from the static
// production binary (`make build`) it writes an OCI image layout as one tar file, the same
// image that deploy/Dockerfile builds (`make image`, `lotse-dev image`).
//
// The image holds nothing but the binary and its data: /lotse, the CA certificates
// (/etc/ssl/certs/ca-certificates.crt, for the OpenID providers and SMTP over TLS),
// /etc/passwd and /etc/group naming the unprivileged user 65532, and an empty /tmp. There is
// no shell, no package manager and no zoneinfo directory: the production binary embeds Go's
// time zone database (time/tzdata, imported by cmd/lotse; a test there keeps it so), which is
// all Lotse needs for Europe/Berlin. The root file system can be mounted read-only.
//
// The tar file is an OCI image layout (oci-layout, index.json, blobs/sha256/...) with a
// docker-save manifest.json beside it, as `docker save` writes since Docker 25: `docker load`,
// `podman load`, `skopeo copy oci-archive:...` and `crane push` all take it. The build is
// reproducible: the same binary, certificates and creation time give the same bytes.
package image

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/x509"
	"debug/buildinfo"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// The facts of the image that deploy/Dockerfile states too (a test compares the two).
const (
	// UID and GID of the unprivileged user the server runs as (distroless' "nonroot" number).
	UID = 65532
	GID = 65532
	// User is the config's User field.
	User = "65532:65532"
	// Port is the one port the server listens on in a container.
	Port = "8080/tcp"
	// BinaryPath is where the binary lies and the entrypoint.
	BinaryPath = "/lotse"
	// CACertificatesPath is where Go's crypto/x509 looks first on Linux.
	CACertificatesPath = "/etc/ssl/certs/ca-certificates.crt"
	// Licence is the SPDX identifier of Lotse's licence.
	Licence = "EUPL-1.2"
	// DefaultSource is the repository named in the source label.
	DefaultSource = "https://github.com/lotse-project/lotse"
	// MainPackage is the only main package the image may carry: the production binary, never
	// the development variant (cmd/lotse-dev signs anyone in with one click).
	MainPackage = "github.com/lotse-project/lotse/cmd/lotse"
)

// Entrypoint, Cmd and Env of the image's config.
var (
	Entrypoint = []string{BinaryPath}
	Cmd        = []string{"serve"}
	Env        = []string{"LOTSE_HTTP_ADDR=:8080"}
)

// Passwd and Group are the image's /etc/passwd and /etc/group (deploy/rootfs holds the same
// for deploy/Dockerfile): root, and lotse with the number 65532, without a home or a shell.
const (
	Passwd = "root:x:0:0:root:/root:/sbin/nologin\nlotse:x:65532:65532:Lotse:/nonexistent:/sbin/nologin\n"
	Group  = "root:x:0:\nlotse:x:65532:\n"
)

// Options say what goes into the image.
type Options struct {
	// Binary is the path of the static production binary (make build: bin/lotse).
	Binary string
	// Version is the binary's version for the labels; empty: what the binary prints.
	Version string
	// CACertificates is the path of the PEM bundle of trusted CA certificates
	// (Debian: /etc/ssl/certs/ca-certificates.crt from the package ca-certificates).
	CACertificates string
	// Source is the repository URL of the source label; empty: DefaultSource.
	Source string
	// Revision is the VCS revision of the revision label; empty: none.
	Revision string
	// Created is the image's creation time (SOURCE_DATE_EPOCH for reproducible builds);
	// zero: 1970-01-01.
	Created time.Time
	// Tag names the image in index.json and manifest.json, e.g. lotse:v1.2.3; empty:
	// lotse:<version>.
	Tag string
}

// Binary is what Inspect learns from the binary.
type Binary struct {
	Version string // what `lotse version` prints (make build sets it with -X)
	Arch    string // GOARCH: amd64, arm64
}

// Inspect checks that path is a binary the image can run and returns its version and
// architecture: a Linux ELF file without a dynamic loader or shared libraries (CGO_ENABLED=0,
// the image has no libc), built from cmd/lotse. The version is what the binary's `version`
// command prints (-trimpath keeps -ldflags out of the build information), so it runs the
// binary, with an empty environment, when it is built for this machine; a binary for another
// architecture needs version, which is otherwise checked against what the binary prints.
func Inspect(path, version string) (Binary, error) {
	f, err := elf.Open(path)
	if err != nil {
		return Binary{}, fmt.Errorf("image: %s is not an ELF binary for Linux: %w", path, err)
	}
	defer f.Close()
	var b Binary
	switch f.Machine {
	case elf.EM_X86_64:
		b.Arch = "amd64"
	case elf.EM_AARCH64:
		b.Arch = "arm64"
	default:
		return Binary{}, fmt.Errorf("image: %s is built for %s; build it for amd64 or arm64", path, f.Machine)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return Binary{}, fmt.Errorf("image: %s is linked dynamically (it needs a loader and libc, which the image does not have); build it with CGO_ENABLED=0 (make build)", path)
		}
	}
	bi, err := buildinfo.ReadFile(path)
	if err != nil {
		return Binary{}, fmt.Errorf("image: %s carries no Go build information: %w", path, err)
	}
	if bi.Path != MainPackage {
		return Binary{}, fmt.Errorf("image: %s is built from %s, not from %s: the image carries only the production binary (make build)", path, bi.Path, MainPackage)
	}
	for _, s := range bi.Settings {
		if s.Key == "GOOS" && s.Value != "linux" {
			return Binary{}, fmt.Errorf("image: %s is built for GOOS=%s, not linux", path, s.Value)
		}
	}
	b.Version = version
	if runtime.GOOS == "linux" && runtime.GOARCH == b.Arch {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, path, "version")
		cmd.Env = []string{}
		out, err := cmd.Output()
		if err != nil {
			return Binary{}, fmt.Errorf("image: %s version: %w", path, err)
		}
		printed, ok := strings.CutPrefix(strings.TrimSpace(string(out)), "lotse ")
		if !ok || printed == "" || strings.ContainsAny(printed, " \n") {
			return Binary{}, fmt.Errorf("image: %s version printed %q, not \"lotse VERSION\"", path, out)
		}
		if version != "" && version != printed {
			return Binary{}, fmt.Errorf("image: %s is version %s, not %s", path, printed, version)
		}
		b.Version = printed
	}
	if b.Version == "" {
		return Binary{}, fmt.Errorf("image: %s is built for %s, so its version cannot be asked: give the version", path, b.Arch)
	}
	return b, nil
}

// Labels are the image's labels and the manifest's annotations: the OCI pre-defined keys.
func Labels(version, source, revision string) map[string]string {
	if source == "" {
		source = DefaultSource
	}
	l := map[string]string{
		"org.opencontainers.image.title":       "Lotse",
		"org.opencontainers.image.description": "Case and task tracking for a city's integration management",
		"org.opencontainers.image.version":     version,
		"org.opencontainers.image.source":      source,
		"org.opencontainers.image.licenses":    Licence,
	}
	if revision != "" {
		l["org.opencontainers.image.revision"] = revision
	}
	return l
}

// file is one entry of a layer.
type file struct {
	name string // without the leading slash; directories end in /
	mode int64
	data []byte
}

// Build makes the image (not yet written).
func Build(o Options) (v1.Image, Binary, error) {
	bin, err := Inspect(o.Binary, o.Version)
	if err != nil {
		return nil, Binary{}, err
	}
	binData, err := os.ReadFile(o.Binary)
	if err != nil {
		return nil, Binary{}, fmt.Errorf("image: %w", err)
	}
	certs, err := os.ReadFile(o.CACertificates)
	if err != nil {
		return nil, Binary{}, fmt.Errorf("image: the CA certificates: %w (Debian: apt-get install ca-certificates)", err)
	}
	if !x509.NewCertPool().AppendCertsFromPEM(certs) {
		return nil, Binary{}, fmt.Errorf("image: %s holds no PEM certificate", o.CACertificates)
	}
	created := o.Created
	if created.IsZero() {
		created = time.Unix(0, 0)
	}
	created = created.UTC()

	// Two layers: the data that changes with the distribution's certificates, then the
	// binary that changes with every release (a registry keeps the first across releases).
	base, err := layer(created, []file{
		{name: "etc/", mode: 0o755},
		{name: "etc/group", mode: 0o644, data: []byte(Group)},
		{name: "etc/passwd", mode: 0o644, data: []byte(Passwd)},
		{name: "etc/ssl/", mode: 0o755},
		{name: "etc/ssl/certs/", mode: 0o755},
		{name: strings.TrimPrefix(CACertificatesPath, "/"), mode: 0o644, data: certs},
		{name: "tmp/", mode: 0o1777},
	})
	if err != nil {
		return nil, Binary{}, err
	}
	app, err := layer(created, []file{{name: strings.TrimPrefix(BinaryPath, "/"), mode: 0o755, data: binData}})
	if err != nil {
		return nil, Binary{}, err
	}

	labels := Labels(bin.Version, o.Source, o.Revision)
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.Append(img,
		mutate.Addendum{Layer: base, MediaType: types.OCILayer, History: v1.History{Created: v1.Time{Time: created}, CreatedBy: "lotse-dev image: CA certificates, /etc/passwd, /etc/group, /tmp"}},
		mutate.Addendum{Layer: app, MediaType: types.OCILayer, History: v1.History{Created: v1.Time{Time: created}, CreatedBy: "lotse-dev image: the production binary " + BinaryPath}},
	)
	if err != nil {
		return nil, Binary{}, fmt.Errorf("image: %w", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, Binary{}, fmt.Errorf("image: %w", err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", bin.Arch
	cf.Created = v1.Time{Time: created}
	cf.Config = v1.Config{
		User:         User,
		Entrypoint:   Entrypoint,
		Cmd:          Cmd,
		Env:          Env,
		ExposedPorts: map[string]struct{}{Port: {}},
		WorkingDir:   "/",
		Labels:       labels,
		StopSignal:   "SIGTERM",
	}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, Binary{}, fmt.Errorf("image: %w", err)
	}
	img = mutate.Annotations(img, labels).(v1.Image)
	return img, bin, nil
}

// layer makes a gzip-compressed OCI layer of files, owned by root, dated created.
func layer(created time.Time, files []file) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{Name: f.name, Mode: f.mode, ModTime: created, Uname: "root", Gname: "root", Format: tar.FormatPAX}
		if strings.HasSuffix(f.name, "/") {
			h.Typeflag = tar.TypeDir
		} else {
			h.Typeflag, h.Size = tar.TypeReg, int64(len(f.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, fmt.Errorf("image: %w", err)
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, fmt.Errorf("image: %w", err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("image: %w", err)
	}
	data := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
		tarball.WithMediaType(types.OCILayer))
}

// Write writes img as an OCI image layout in one tar file to w, with a docker-save
// manifest.json naming tag, so that both kinds of loader take it.
func Write(w io.Writer, img v1.Image, tag string) error {
	manifest, err := img.RawManifest()
	if err != nil {
		return fmt.Errorf("image: %w", err)
	}
	digest, err := img.Digest()
	if err != nil {
		return fmt.Errorf("image: %w", err)
	}
	config, err := img.RawConfigFile()
	if err != nil {
		return fmt.Errorf("image: %w", err)
	}
	configName, err := img.ConfigName()
	if err != nil {
		return fmt.Errorf("image: %w", err)
	}
	layers, err := img.Layers()
	if err != nil {
		return fmt.Errorf("image: %w", err)
	}
	mt, err := img.MediaType()
	if err != nil {
		return fmt.Errorf("image: %w", err)
	}
	blobs := map[string][]byte{blobPath(digest): manifest, blobPath(configName): config}
	var layerPaths []string
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return fmt.Errorf("image: %w", err)
		}
		rc, err := l.Compressed()
		if err != nil {
			return fmt.Errorf("image: %w", err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return fmt.Errorf("image: %w", err)
		}
		blobs[blobPath(d)] = b
		layerPaths = append(layerPaths, blobPath(d))
	}
	index, err := json.Marshal(v1.IndexManifest{
		SchemaVersion: 2,
		MediaType:     types.OCIImageIndex,
		Manifests: []v1.Descriptor{{
			MediaType: mt,
			Size:      int64(len(manifest)),
			Digest:    digest,
			Annotations: map[string]string{
				"io.containerd.image.name":          tag,
				"org.opencontainers.image.ref.name": tagOnly(tag),
			},
		}},
	})
	if err != nil {
		return fmt.Errorf("image: %w", err)
	}
	dockerManifest, err := json.Marshal([]struct {
		Config   string
		RepoTags []string
		Layers   []string
	}{{Config: blobPath(configName), RepoTags: []string{tag}, Layers: layerPaths}})
	if err != nil {
		return fmt.Errorf("image: %w", err)
	}

	tw := tar.NewWriter(w)
	epoch := time.Unix(0, 0).UTC()
	put := func(name string, data []byte) error {
		typ, mode := byte(tar.TypeReg), int64(0o644)
		if strings.HasSuffix(name, "/") {
			typ, mode = tar.TypeDir, 0o755
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: typ, Name: name, Mode: mode, Size: int64(len(data)), ModTime: epoch, Format: tar.FormatPAX}); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	names := make([]string, 0, len(blobs))
	for n := range blobs {
		names = append(names, n)
	}
	sort.Strings(names)
	entries := []struct {
		name string
		data []byte
	}{
		{"blobs/", nil}, {"blobs/sha256/", nil},
	}
	for _, n := range names {
		entries = append(entries, struct {
			name string
			data []byte
		}{n, blobs[n]})
	}
	entries = append(entries, []struct {
		name string
		data []byte
	}{
		{"index.json", index},
		{"manifest.json", dockerManifest},
		{"oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)},
	}...)
	for _, e := range entries {
		if err := put(e.name, e.data); err != nil {
			return fmt.Errorf("image: %w", err)
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("image: %w", err)
	}
	return nil
}

func blobPath(h v1.Hash) string { return "blobs/" + h.Algorithm + "/" + h.Hex }

// tagOnly is the part of an image reference after the last colon that follows the last
// slash (lotse:v1 -> v1; registry:5000/lotse -> latest).
func tagOnly(ref string) string {
	slash := strings.LastIndex(ref, "/")
	if i := strings.LastIndex(ref, ":"); i > slash {
		return ref[i+1:]
	}
	return "latest"
}

// WriteFile builds the image from o and writes it to path (atomically: a half-written file
// never has the name). It returns what it learnt of the binary and the image's digest.
func WriteFile(path string, o Options) (Binary, v1.Hash, error) {
	img, bin, err := Build(o)
	if err != nil {
		return Binary{}, v1.Hash{}, err
	}
	tag := o.Tag
	if tag == "" {
		tag = "lotse:" + bin.Version
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".lotse-image-*")
	if err != nil {
		return Binary{}, v1.Hash{}, fmt.Errorf("image: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := Write(tmp, img, tag); err != nil {
		tmp.Close()
		return Binary{}, v1.Hash{}, err
	}
	if err := tmp.Close(); err != nil {
		return Binary{}, v1.Hash{}, fmt.Errorf("image: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return Binary{}, v1.Hash{}, fmt.Errorf("image: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return Binary{}, v1.Hash{}, fmt.Errorf("image: %w", err)
	}
	d, err := img.Digest()
	if err != nil {
		return Binary{}, v1.Hash{}, errors.Join(errors.New("image: written, but its digest is unknown"), err)
	}
	return bin, d, nil
}
