package model

import "context"

// actorKey keys the acting user in a request's context.Context.
type actorKey struct{}

// ContextWithActor returns ctx carrying a, so that layers that receive only a context (the
// API's generated strict handlers) know who acts. The web layer's sign-in middleware sets it.
func ContextWithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor set by ContextWithActor; false when the request is anonymous.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}
