package devidp

import (
	"context"
	"errors"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// opServer is zitadel's LegacyServer (the op.Provider behind the op.Server
// interface) with three methods of our own. zitadel documents embedding
// LegacyServer and overriding single methods as the way to extend it.
type opServer struct {
	*op.LegacyServer
	provider *op.Provider
	storage  *storage
}

// CodeExchange answers the authorization_code grant. It differs from
// zitadel's in two ways:
//
//   - the access token gets its own audience (the API audience), while the ID
//     token stays for the client alone; zitadel would give both the audience
//     of the auth request, so that an ID token could be replayed at the API;
//   - PKCE is always checked, also for a confidential client that sends no
//     code_verifier (zitadel's LegacyServer only checks it when a verifier is
//     sent or the client is public).
func (s *opServer) CodeExchange(ctx context.Context, r *op.ClientRequest[oidc.AccessTokenRequest]) (*op.Response, error) {
	found, err := op.AuthRequestByCode(ctx, s.storage, r.Data.Code)
	if err != nil {
		return nil, err
	}
	authReq, ok := found.(*authRequest)
	if !ok || !authReq.Done() {
		return nil, oidc.ErrInvalidGrant()
	}
	if err := op.AuthorizeCodeChallenge(r.Data.CodeVerifier, authReq.GetCodeChallenge()); err != nil {
		return nil, err
	}
	if r.Client.GetID() != authReq.GetClientID() {
		return nil, oidc.ErrInvalidGrant()
	}
	if !op.ValidateGrantType(r.Client, oidc.GrantTypeCode) {
		return nil, oidc.ErrUnauthorizedClient().WithDescription("client may not use the authorization_code grant")
	}
	if r.Data.RedirectURI != authReq.GetRedirectURI() {
		return nil, oidc.ErrInvalidGrant().WithDescription("redirect_uri does not correspond")
	}

	atReq := &accessTokenRequest{
		clientID: authReq.clientID,
		subject:  authReq.subject,
		audience: s.storage.accessTokenAudience(authReq.clientID),
		scopes:   authReq.scopes,
	}
	accessToken, _, validity, err := op.CreateAccessToken(ctx, atReq, r.Client.AccessTokenType(), s.provider, r.Client, "")
	if err != nil {
		return nil, err
	}
	idToken, err := op.CreateIDToken(ctx, op.IssuerFromContext(ctx), authReq, r.Client.IDTokenLifetime(), accessToken, r.Data.Code, s.storage, r.Client)
	if err != nil {
		return nil, err
	}
	// Codes are single-use: the auth request and its code go now.
	if err := s.storage.DeleteAuthRequest(ctx, authReq.GetID()); err != nil {
		return nil, err
	}
	return op.NewResponse(&oidc.AccessTokenResponse{
		AccessToken: accessToken,
		IDToken:     idToken,
		TokenType:   oidc.BearerToken,
		ExpiresIn:   uint64(validity.Seconds()),
		Scope:       authReq.GetScopes(),
	}), nil
}

// JWTProfile refuses the JWT bearer grant (RFC 7523), which op.Provider always
// advertises but this provider has no client keys for.
func (s *opServer) JWTProfile(context.Context, *op.Request[oidc.JWTProfileGrantRequest]) (*op.Response, error) {
	return nil, oidc.ErrUnsupportedGrantType().WithDescription("the JWT bearer grant is not supported by the development provider")
}

// EndSession is zitadel's RP-initiated logout, tolerant of one thing: an
// id_token_hint that does not verify because it was signed with the key of an
// earlier run. The key is made at every start, while Lotse's sessions (in
// Postgres) outlive a restart of `lotse-dev dev`, so signing out after a restart
// would otherwise end on an error page. Such a hint is treated like no hint,
// except that its (unverified) azp still names the client, so that a
// post_logout_redirect_uri registered for that client is honoured. This opens
// no redirect: the URI must still be registered.
func (s *opServer) EndSession(ctx context.Context, r *op.Request[oidc.EndSessionRequest]) (*op.Redirect, error) {
	if hint := r.Data.IdTokenHint; hint != "" {
		_, err := op.VerifyIDTokenHint[*oidc.IDTokenClaims](ctx, hint, s.provider.IDTokenHintVerifier(ctx))
		if err != nil && !errors.As(err, new(op.IDTokenHintExpiredError)) {
			data := *r.Data
			data.IdTokenHint = ""
			if data.ClientID == "" {
				var claims oidc.IDTokenClaims
				if _, err := oidc.ParseToken(hint, &claims); err == nil {
					data.ClientID = claims.GetAuthorizedParty()
				}
			}
			if _, err := s.storage.GetClientByClientID(ctx, data.ClientID); err != nil {
				data.ClientID = "" // unknown client: fall back to the provider's own page
			}
			req := *r
			req.Data = &data
			r = &req
		}
	}
	return s.LegacyServer.EndSession(ctx, r)
}
