package devapp

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/lotse-project/lotse/internal/app"
	"github.com/lotse-project/lotse/internal/config"
	"github.com/lotse-project/lotse/internal/image"
)

// ImageCmd writes Lotse's container image as an OCI image layout in one tar file, without a
// Docker daemon (internal/image): what `make image` runs after `make build`.
type ImageCmd struct {
	Out            string `name:"out" default:"bin/lotse-image.tar" help:"Where the image tar file goes (an OCI image layout with a docker-save manifest.json)."`
	Binary         string `name:"binary" default:"bin/lotse" help:"The static production binary (make build)."`
	CACertificates string `name:"ca-certificates" default:"/etc/ssl/certs/ca-certificates.crt" help:"PEM bundle of the trusted CA certificates to put into the image (Debian's ca-certificates)."`
	Version        string `name:"version" help:"Version for the labels; default: what the binary's version command prints (needed for a binary of another architecture)."`
	Tag            string `name:"tag" help:"Name of the image for docker load (default lotse:<version>)."`
	Source         string `name:"source" default:"https://github.com/lotse-project/lotse" help:"Repository URL for the label org.opencontainers.image.source."`
	Revision       string `name:"revision" help:"VCS revision for the label org.opencontainers.image.revision (make image: git rev-parse HEAD)."`
	Created        string `name:"created" help:"Creation time of the image in seconds since 1970 (make image: SOURCE_DATE_EPOCH, else the last commit's time); empty: 1970-01-01, for reproducible images."`
}

// Run builds and writes the image and prints its name and digest.
func (c ImageCmd) Run(_ *config.Config, e *app.Env) error {
	var created time.Time
	if c.Created != "" {
		s, err := strconv.ParseInt(c.Created, 10, 64)
		if err != nil || s < 0 {
			return fmt.Errorf("image: --created (SOURCE_DATE_EPOCH) must be seconds since 1970, got %q", c.Created)
		}
		created = time.Unix(s, 0)
	}
	bin, digest, err := image.WriteFile(c.Out, image.Options{
		Binary: c.Binary, Version: c.Version, CACertificates: c.CACertificates, Source: c.Source,
		Revision: c.Revision, Created: created, Tag: c.Tag,
	})
	if err != nil {
		return err
	}
	tag := c.Tag
	if tag == "" {
		tag = "lotse:" + bin.Version
	}
	st, err := os.Stat(c.Out)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(e.Stdout, "%s: %s (%s, linux/%s, %.1f MB); load it with `docker load -i %s` or push it with `skopeo copy oci-archive:%s docker://REGISTRY/lotse:%s`\n",
		c.Out, tag, digest, bin.Arch, float64(st.Size())/1e6, c.Out, c.Out, bin.Version)
	return err
}
