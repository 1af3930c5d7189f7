package components

import (
	"context"
	"time"
)

// Translator translates message keys (ui/locales) into one language; *locale.Localizer is one.
type Translator interface {
	T(id string, data ...map[string]any) string
}

// Env is what every component of one request reads from its context.
type Env struct {
	// Lang is the language of the page ("de", "en"), for <html lang>.
	Lang string
	// L translates message keys into that language.
	L Translator
	// Asset returns the URL of a file under ui/static ("vendor/kern/kern.min.css"), with its
	// content hash in the name.
	Asset func(name string) string
	// Frame is what the page frame shows: who, where, which navigation.
	Frame Frame
	// Zone is the time zone every moment is shown in: the city's (model.Berlin, the one
	// definition, which this package does not import). Nil shows UTC.
	Zone *time.Location
}

type envKey struct{}

// WithEnv returns ctx carrying env for the components rendered with it.
func WithEnv(ctx context.Context, env *Env) context.Context {
	return context.WithValue(ctx, envKey{}, env)
}

func envOf(ctx context.Context) *Env {
	if e, ok := ctx.Value(envKey{}).(*Env); ok && e != nil {
		return e
	}
	return &Env{}
}

// T translates a message key in the request's language, with optional template data. Keys
// are string literals, so that a test can check each exists in every language.
func T(ctx context.Context, key string, data ...map[string]any) string {
	l := envOf(ctx).L
	if l == nil {
		return key
	}
	return l.T(key, data...)
}

// RoleLabel is the name of a role (model.Role) for people: the message "role.<role>".
func RoleLabel(ctx context.Context, role string) string {
	return T(ctx, "role."+role)
}

// ErrorTitle and ErrorText are the messages of an error category (the code of the web
// layer's classify, e.g. "not_found"): "error.<code>.title" and "error.<code>.text".
func ErrorTitle(ctx context.Context, code string) string { return T(ctx, "error."+code+".title") }

// ErrorText: see ErrorTitle.
func ErrorText(ctx context.Context, code string) string { return T(ctx, "error."+code+".text") }

// Asset returns the content-hashed URL of a static file, e.g. Asset(ctx, "lotse.css").
func Asset(ctx context.Context, name string) string {
	if f := envOf(ctx).Asset; f != nil {
		return f(name)
	}
	return "/static/" + name
}

// Lang is the language of the page, e.g. "de".
func Lang(ctx context.Context) string {
	if l := envOf(ctx).Lang; l != "" {
		return l
	}
	return "de"
}

// FrameOf returns the frame of the page being rendered.
func FrameOf(ctx context.Context) Frame { return envOf(ctx).Frame }
