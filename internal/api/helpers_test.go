package api_test

import (
	"fmt"
	"testing"

	"github.com/lotse-project/lotse/internal/api"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

const base = api.BasePath

func orgURL(o *model.Organisation) string { return base + "/organisations/" + o.ID.String() }
func memberURL(u *world.User) string      { return base + "/members/" + u.ID.String() }
func grantURL(g model.Grant) string       { return base + "/grants/" + g.ID.String() }

// version sends If-Match for version v.
func version(v int) map[string]string { return map[string]string{"If-Match": fmt.Sprintf(`"%d"`, v)} }

// etagIs checks the ETag of a single-record response.
func etagIs(v int) func(t *testing.T, r *world.Response) {
	return func(t *testing.T, r *world.Response) {
		t.Helper()
		if got, want := r.Header.Get("ETag"), fmt.Sprintf(`"%d"`, v); got != want {
			t.Errorf("ETag %q, want %q", got, want)
		}
	}
}

// listNames returns the names (organisations) or display names (members) of a list body.
func listNames(t *testing.T, r *world.Response) []string {
	t.Helper()
	var l struct {
		Items []struct {
			Name        string `json:"name"`
			DisplayName string `json:"display_name"`
		} `json:"items"`
	}
	r.JSON(t, &l)
	var out []string
	for _, it := range l.Items {
		out = append(out, it.Name+it.DisplayName)
	}
	return out
}

// grant builds a POST /grants body.
func grant(u *world.User, o *model.Organisation, role model.Role) map[string]any {
	return map[string]any{"user_id": u.ID, "org_id": o.ID, "role": role}
}

// inEnglish asks for English answers in every scenario: the API words its messages in the
// language asked for (German by default), and these scenarios quote the English wording of
// field error codes.
func inEnglish(ss world.Scenarios) world.Scenarios {
	out := make(world.Scenarios, len(ss))
	for i, sc := range ss {
		h := map[string]string{"Accept-Language": "en"}
		for k, v := range sc.Request.Headers {
			h[k] = v
		}
		sc.Request.Headers = h
		out[i] = sc
	}
	return out
}
