package jobs

import (
	"context"
	"errors"
	"strconv"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/lotse-project/lotse/internal/tracing"
)

// traceJobs makes each run of a job a span, the parent of the statements the job sends:
// named "job " and the job's kind ("job sweep", "job digest"), with the queue, the job's id
// and the attempt. Never the job's arguments, and on failure not the error's text (a mail
// job's error may quote an address): only that it failed, and whether it was cancelled or
// snoozed.
type traceJobs struct {
	river.MiddlewareDefaults
	tracer trace.Tracer
}

var _ rivertype.WorkerMiddleware = (*traceJobs)(nil)

func (m *traceJobs) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	ctx, span := m.tracer.Start(ctx, "job "+job.Kind, trace.WithSpanKind(trace.SpanKindConsumer), trace.WithAttributes(
		semconv.MessagingSystemKey.String("river"),
		semconv.MessagingOperationTypeProcess,
		semconv.MessagingOperationName("process"),
		semconv.MessagingDestinationName(job.Queue),
		semconv.MessagingMessageID(strconv.FormatInt(job.ID, 10)),
		jobKindKey.String(job.Kind),
		jobAttemptKey.Int(job.Attempt),
	))
	defer span.End()
	err := doInner(ctx)
	if err != nil {
		kind := "failed"
		var cancel *rivertype.JobCancelError
		var snooze *rivertype.JobSnoozeError
		switch {
		case errors.As(err, &cancel):
			kind = "cancelled"
		case errors.As(err, &snooze):
			kind = "snoozed"
		}
		span.SetAttributes(semconv.ErrorTypeKey.String(kind))
		if kind == "failed" {
			span.SetStatus(codes.Error, kind)
		}
	}
	return err
}

// The attributes a job's span carries besides the messaging conventions.
const (
	jobKindKey    = attribute.Key("lotse.job.kind")
	jobAttemptKey = attribute.Key("lotse.job.attempt")
)

// middleware returns River's middleware for the tracer provider tp; none when tp is nil.
func middleware(tp trace.TracerProvider) []rivertype.Middleware {
	if tp == nil {
		return nil
	}
	return []rivertype.Middleware{&traceJobs{tracer: tp.Tracer(tracing.ScopeName)}}
}
