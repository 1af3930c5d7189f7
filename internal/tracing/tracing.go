package tracing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// ScopeName is the instrumentation scope of every span Lotse makes.
const ScopeName = "github.com/lotse-project/lotse"

// RequestIDKey is the span attribute holding the request id that the JSON log lines carry
// as request_id (and the response as X-Request-ID), so that a trace and its log lines join.
const RequestIDKey = attribute.Key("lotse.request_id")

// The values of LOTSE_TRACING.
const (
	ModeAuto = "auto"
	ModeOn   = "on"
	ModeOff  = "off"
)

// Modes are the accepted values of LOTSE_TRACING.
var Modes = []string{ModeAuto, ModeOn, ModeOff}

// endpointVars are the standard variables that name where OTLP traces go; with auto, either
// one turns tracing on.
var endpointVars = []string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"}

// Enabled resolves a LOTSE_TRACING mode against the environment (getenv, usually
// os.Getenv): on and off say so; auto is on when an OTLP endpoint variable is set, unless
// OTEL_SDK_DISABLED=true. An unknown mode is off (the configuration refuses it before).
func Enabled(mode string, getenv func(string) string) bool {
	switch mode {
	case ModeOn:
		return true
	case ModeAuto, "":
		if strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true") {
			return false
		}
		for _, v := range endpointVars {
			if strings.TrimSpace(getenv(v)) != "" {
				return true
			}
		}
	}
	return false
}

// Provider is the process's tracer provider: the OpenTelemetry SDK exporting over OTLP/HTTP
// when tracing is on, a provider whose spans record nothing when it is off.
type Provider struct {
	trace.TracerProvider
	sdk *sdktrace.TracerProvider
}

// Off is a provider that records nothing (tracing off; tests and commands that do not serve).
func Off() *Provider { return &Provider{TracerProvider: noop.NewTracerProvider()} }

// New builds the provider. When enabled, spans go in batches to the OTLP/HTTP endpoint that
// the standard OTEL_EXPORTER_OTLP_* variables configure (endpoint, headers, timeout,
// compression, certificates; default http://localhost:4318/v1/traces), sampled as
// OTEL_TRACES_SAMPLER says (default: every trace, or as the caller's traceparent decided),
// and batched as OTEL_BSP_* says. The resource names service.name "lotse" and the version;
// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES add or override (e.g. the instance).
// Nothing is sent at start: an unreachable collector costs dropped spans and a warning of
// the exporter, never a request. The SDK's own errors (an export the collector refused or
// did not answer) go to log as warnings, at most one a minute, so that they stay JSON lines
// like every other and a dead collector does not flood the log.
func New(ctx context.Context, enabled bool, version string, log *slog.Logger) (*Provider, error) {
	if !enabled {
		return Off(), nil
	}
	if log != nil {
		otel.SetErrorHandler(&errorLog{log: log})
	}
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("tracing: OTLP exporter: %w", err)
	}
	attrs := []attribute.KeyValue{semconv.ServiceName("lotse")}
	if version != "" {
		attrs = append(attrs, semconv.ServiceVersion(version))
	}
	// Later options override earlier ones: the environment wins over the defaults.
	res, err := resource.New(ctx, resource.WithAttributes(attrs...), resource.WithTelemetrySDK(),
		resource.WithHost(), resource.WithFromEnv())
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return nil, fmt.Errorf("tracing: resource: %w", err)
	}
	sdk := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	return &Provider{TracerProvider: sdk, sdk: sdk}, nil
}

// On reports whether spans are recorded and exported.
func (p *Provider) On() bool { return p.sdk != nil }

// Shutdown sends the spans still buffered and stops the exporter (within ctx).
func (p *Provider) Shutdown(ctx context.Context) error {
	if p.sdk == nil {
		return nil
	}
	if err := p.sdk.Shutdown(ctx); err != nil {
		return fmt.Errorf("tracing: shutdown: %w", err)
	}
	return nil
}

// errorLog writes the SDK's errors as warnings, the first at once and then at most one a
// minute, with the number left out in between.
type errorLog struct {
	log        *slog.Logger
	mu         sync.Mutex
	last       time.Time
	suppressed int
}

func (h *errorLog) Handle(err error) {
	h.mu.Lock()
	if !h.last.IsZero() && time.Since(h.last) < time.Minute {
		h.suppressed++
		h.mu.Unlock()
		return
	}
	n := h.suppressed
	h.last, h.suppressed = time.Now(), 0
	h.mu.Unlock()
	h.log.Warn("tracing: spans could not be exported", slog.Any("error", err), slog.Int("errors_since_last", n))
}

// shutdownTimeout bounds the flush at the end of a process.
const shutdownTimeout = 5 * time.Second

// Close is Shutdown with a bound of a few seconds, for deferred calls.
func (p *Provider) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	return p.Shutdown(ctx)
}
