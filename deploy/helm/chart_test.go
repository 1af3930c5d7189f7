// Package helm holds the tests of the Helm chart in deploy/helm/lotse: the chart lints, renders
// with the default values and with values-production.yaml, every rendered manifest decodes
// strictly into its Kubernetes type (an unknown or misspelt field fails), and the properties a
// provider relies on hold: hardened pods, probes on Lotse's real health routes, a disruption
// budget, network policies, the migration Job as the schema owner while the instances never see
// the owner's URL, and only settings that Lotse knows.
package helm

import (
	"bytes"
	"cmp"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kong"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/common/util"
	"helm.sh/helm/v4/pkg/chart/v2/lint"
	"helm.sh/helm/v4/pkg/chart/v2/lint/support"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/engine"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/lotse-project/lotse/internal/config"
)

const (
	chartDir  = "lotse"
	release   = "lotse"
	namespace = "lotse"
)

// optionalEnv are settings the chart's defaults leave to Lotse's own defaults and
// values-production.yaml sets: the drain delay before SIGTERM and the read replica (a secret,
// so as _FILE).
var optionalEnv = []string{"LOTSE_SHUTDOWN_READINESS_DELAY", "LOTSE_DATABASE_REPLICA_URL_FILE"}

// libpqEnv are the only variables besides LOTSE_* that the chart sets: pgx reads them for a
// database URL that names neither (the chart verifies CloudNativePG's certificate with them).
var libpqEnv = []string{"PGSSLMODE", "PGSSLROOTCERT"}

// otelEnv is the one OpenTelemetry variable the chart sets, with tracing.endpoint (the SDK
// reads it; docs/tracing.md).
var otelEnv = []string{"OTEL_EXPORTER_OTLP_ENDPOINT"}

// Lotse's own defaults of the two drain settings (README, config table), which the chart's
// terminationGracePeriodSeconds must cover when they are not set.
const (
	lotseReadinessDelay = 5 * time.Second
	lotseShutdownGrace  = 15 * time.Second
)

// ---- rendering ----

// cnpgCluster is the part of CloudNativePG's Cluster (postgresql.cnpg.io/v1) that the chart
// writes, with CloudNativePG's field names: decoded strictly, a field outside it fails.
type cnpgCluster struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		Instances             int    `json:"instances"`
		ImageName             string `json:"imageName,omitempty"`
		PrimaryUpdateStrategy string `json:"primaryUpdateStrategy,omitempty"`
		EnableSuperuserAccess *bool  `json:"enableSuperuserAccess,omitempty"`
		Bootstrap             struct {
			InitDB *struct {
				Database string `json:"database"`
				Owner    string `json:"owner"`
				Secret   *struct {
					Name string `json:"name"`
				} `json:"secret,omitempty"`
			} `json:"initdb"`
		} `json:"bootstrap"`
		Managed struct {
			Roles []cnpgRole `json:"roles"`
		} `json:"managed"`
		Storage    cnpgStorage  `json:"storage"`
		WALStorage *cnpgStorage `json:"walStorage,omitempty"`
		PostgreSQL *struct {
			Parameters map[string]string `json:"parameters"`
		} `json:"postgresql,omitempty"`
		Resources *corev1.ResourceRequirements `json:"resources,omitempty"`
	} `json:"spec"`
}

type cnpgRole struct {
	Name           string   `json:"name"`
	Ensure         string   `json:"ensure"`
	Comment        string   `json:"comment,omitempty"`
	Login          bool     `json:"login"`
	Superuser      bool     `json:"superuser,omitempty"`
	CreateDB       bool     `json:"createdb,omitempty"`
	CreateRole     bool     `json:"createrole,omitempty"`
	Inherit        *bool    `json:"inherit,omitempty"`
	InRoles        []string `json:"inRoles,omitempty"`
	PasswordSecret *struct {
		Name string `json:"name"`
	} `json:"passwordSecret,omitempty"`
}

type cnpgStorage struct {
	Size         string `json:"size"`
	StorageClass string `json:"storageClass,omitempty"`
}

// manifests are the objects of one rendering, each decoded into its type.
type manifests struct {
	Deployments     []appsv1.Deployment
	Jobs            []batchv1.Job
	Services        []corev1.Service
	ServiceAccounts []corev1.ServiceAccount
	PDBs            []policyv1.PodDisruptionBudget
	NetworkPolicies []networkingv1.NetworkPolicy
	Ingresses       []networkingv1.Ingress
	ServiceMonitors []monitoringv1.ServiceMonitor
	Clusters        []cnpgCluster
}

// decode reads one manifest into the typed slice of its apiVersion and kind, strictly.
func (m *manifests) decode(doc []byte) error {
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal(doc, &tm); err != nil {
		return err
	}
	// As the API server reads a manifest: YAML to JSON refusing duplicate keys, then JSON
	// into the type with case-sensitive field names, refusing unknown and duplicate fields
	// (encoding/json alone would take "startupprobe" for startupProbe).
	js, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return err
	}
	strict := func(dst any) error {
		strictErrs, err := kjson.UnmarshalStrict(js, dst)
		if err != nil {
			return err
		}
		return errors.Join(strictErrs...)
	}
	switch tm.APIVersion + " " + tm.Kind {
	case "apps/v1 Deployment":
		var o appsv1.Deployment
		if err := strict(&o); err != nil {
			return err
		}
		m.Deployments = append(m.Deployments, o)
	case "batch/v1 Job":
		var o batchv1.Job
		if err := strict(&o); err != nil {
			return err
		}
		m.Jobs = append(m.Jobs, o)
	case "v1 Service":
		var o corev1.Service
		if err := strict(&o); err != nil {
			return err
		}
		m.Services = append(m.Services, o)
	case "v1 ServiceAccount":
		var o corev1.ServiceAccount
		if err := strict(&o); err != nil {
			return err
		}
		m.ServiceAccounts = append(m.ServiceAccounts, o)
	case "policy/v1 PodDisruptionBudget":
		var o policyv1.PodDisruptionBudget
		if err := strict(&o); err != nil {
			return err
		}
		m.PDBs = append(m.PDBs, o)
	case "networking.k8s.io/v1 NetworkPolicy":
		var o networkingv1.NetworkPolicy
		if err := strict(&o); err != nil {
			return err
		}
		m.NetworkPolicies = append(m.NetworkPolicies, o)
	case "networking.k8s.io/v1 Ingress":
		var o networkingv1.Ingress
		if err := strict(&o); err != nil {
			return err
		}
		m.Ingresses = append(m.Ingresses, o)
	case "monitoring.coreos.com/v1 ServiceMonitor":
		var o monitoringv1.ServiceMonitor
		if err := strict(&o); err != nil {
			return err
		}
		m.ServiceMonitors = append(m.ServiceMonitors, o)
	case "postgresql.cnpg.io/v1 Cluster":
		var o cnpgCluster
		if err := strict(&o); err != nil {
			return err
		}
		m.Clusters = append(m.Clusters, o)
	default:
		return fmt.Errorf("no typed check for %s %s: add its Go type to the test", tm.APIVersion, tm.Kind)
	}
	return nil
}

// readValues reads a values file of the chart (nil for the defaults alone).
func readValues(t *testing.T, file string) map[string]any {
	t.Helper()
	if file == "" {
		return map[string]any{}
	}
	v, err := common.ReadValuesFile(filepath.Join(chartDir, file))
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return v
}

// renderValues renders the chart as `helm template` does, with vals over values.yaml.
func renderValues(vals map[string]any) (map[string]string, error) {
	return renderValuesSchema(vals, false)
}

// renderValuesSchema renders, optionally without values.schema.json (as with
// --skip-schema-validation), so that the templates' own checks are tested too.
func renderValuesSchema(vals map[string]any, skipSchema bool) (map[string]string, error) {
	ch, err := loader.Load(chartDir)
	if err != nil {
		return nil, err
	}
	opts := common.ReleaseOptions{Name: release, Namespace: namespace, Revision: 1, IsInstall: true}
	rv, err := util.ToRenderValuesWithSchemaValidation(ch, vals, opts, nil, skipSchema)
	if err != nil {
		return nil, err
	}
	return engine.Render(ch, rv)
}

var docSep = regexp.MustCompile(`(?m)^---\s*$`)

func renderWith(t *testing.T, vals map[string]any) *manifests {
	t.Helper()
	out, err := renderValues(vals)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	names := make([]string, 0, len(out))
	for name := range out {
		names = append(names, name)
	}
	sort.Strings(names)
	m := &manifests{}
	for _, name := range names {
		if strings.HasSuffix(name, "NOTES.txt") {
			continue
		}
		for i, doc := range docSep.Split(out[name], -1) {
			if len(bytes.TrimSpace(stripComments([]byte(doc)))) == 0 {
				continue
			}
			if err := m.decode([]byte(doc)); err != nil {
				t.Fatalf("%s, document %d: %v\n%s", name, i, err, doc)
			}
		}
	}
	return m
}

func stripComments(b []byte) []byte {
	var out [][]byte
	for _, l := range bytes.Split(b, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(l), []byte("#")) {
			out = append(out, l)
		}
	}
	return bytes.Join(out, []byte("\n"))
}

// ---- what Lotse knows ----

// knownEnv lists every environment variable that Lotse's configuration reads: the env tag of
// each field of config.Config and, for the fields tagged secret, NAME_FILE.
func knownEnv(t *testing.T) map[string]bool {
	t.Helper()
	known := map[string]bool{}
	var walk func(reflect.Type)
	walk = func(rt reflect.Type) {
		for i := range rt.NumField() {
			f := rt.Field(i)
			if f.Type.Kind() == reflect.Struct && f.Tag.Get("env") == "" {
				walk(f.Type)
				continue
			}
			for _, env := range strings.Split(f.Tag.Get("env"), ",") {
				if env == "" {
					continue
				}
				known[env] = true
				if _, ok := f.Tag.Lookup("secret"); ok {
					known[env+"_FILE"] = true
				}
			}
		}
	}
	walk(reflect.TypeFor[config.Config]())
	if !known["LOTSE_DATABASE_URL_FILE"] || !known["LOTSE_HTTP_ADDR"] {
		t.Fatalf("reading config.Config found too little: %v", known)
	}
	return known
}

// ---- the tests ----

var valueFiles = []string{"", "values-production.yaml"}

func label(file string) string {
	if file == "" {
		return "defaults"
	}
	return file
}

// TestChartLints: `helm lint` finds no warning or error, with the defaults and the production
// example.
func TestChartLints(t *testing.T) {
	for _, file := range valueFiles {
		t.Run(label(file), func(t *testing.T) {
			res := lint.RunAll(chartDir, readValues(t, file), namespace)
			for _, msg := range res.Messages {
				if msg.Severity >= support.WarningSev {
					t.Errorf("lint: %s", msg)
				} else {
					t.Logf("lint: %s", msg)
				}
			}
		})
	}
}

// TestStrictDecodingRejectsUnknownFields: the decoding the other tests rely on is strict, so a
// misspelt field in a template fails them.
func TestStrictDecodingRejectsUnknownFields(t *testing.T) {
	for _, doc := range []string{
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replica: 2\n",
		"apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec:\n  ports: [{name: http, port: 80, targetPort: http, protocl: TCP}]\n",
		"apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: x}\nspec:\n  endpoints: [{port: http, pth: /metrics}]\n",
		"apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata: {name: x}\nspec:\n  instances: 3\n  bootstrap: {initdb: {database: lotse, owner: o, ownr: x}}\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replicas: 2\n  replicas: 3\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  Replicas: 2\n",
	} {
		if err := (&manifests{}).decode([]byte(doc)); err == nil {
			t.Errorf("decoded without error:\n%s", doc)
		}
	}
	ok := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replicas: 2\n"
	if err := (&manifests{}).decode([]byte(ok)); err != nil {
		t.Errorf("a valid Deployment: %v", err)
	}
}

// TestChartRenders checks every rendering for the properties a provider relies on.
func TestChartRenders(t *testing.T) {
	known := knownEnv(t)
	for _, file := range valueFiles {
		t.Run(label(file), func(t *testing.T) {
			vals := readValues(t, file)
			m := renderWith(t, vals)
			production := file != ""
			dep := one(t, "Deployment", m.Deployments)
			job := one(t, "Job", m.Jobs)

			checkReplicas(t, dep, production)
			checkPodHardening(t, "Deployment", dep.Spec.Template.Spec)
			checkPodHardening(t, "Job", job.Spec.Template.Spec)
			checkProbes(t, dep)
			checkDrain(t, dep)
			checkPDB(t, m, dep)
			checkService(t, m, dep)
			checkSecretFiles(t, "Deployment", dep.Spec.Template.Spec)
			checkSecretFiles(t, "Job", job.Spec.Template.Spec)
			checkRoles(t, m, dep, job, production)
			checkEnvNames(t, known, dep.Spec.Template.Spec, job.Spec.Template.Spec)
			checkLotseAccepts(t, known, "Deployment", dep.Spec.Template.Spec, true)
			checkLotseAccepts(t, known, "Job", job.Spec.Template.Spec, false)
			checkNetworkPolicies(t, m, dep, job, production)
			checkOptional(t, m, dep, production)
			checkServiceAccounts(t, m, dep, job)
			checkDatabaseTLS(t, m, production, map[string]corev1.PodSpec{"Deployment": dep.Spec.Template.Spec, "Job": job.Spec.Template.Spec})
			if !production {
				for _, name := range optionalEnv {
					if _, ok := env(dep.Spec.Template.Spec.Containers[0], name); ok {
						t.Errorf("the defaults set %s: it stays unset unless a provider asks for it", name)
					}
				}
			} else {
				for _, name := range optionalEnv {
					if _, ok := env(dep.Spec.Template.Spec.Containers[0], name); !ok {
						t.Errorf("values-production.yaml shows %s but the Deployment does not set it", name)
					}
				}
			}
		})
	}
}

func one[T any](t *testing.T, kind string, objs []T) T {
	t.Helper()
	if len(objs) != 1 {
		t.Fatalf("want one %s, got %d", kind, len(objs))
	}
	return objs[0]
}

func checkReplicas(t *testing.T, dep appsv1.Deployment, production bool) {
	t.Helper()
	want := int32(2)
	if production {
		want = 3
	}
	if dep.Spec.Replicas == nil || *dep.Spec.Replicas != want {
		t.Errorf("replicas = %v, want %d", dep.Spec.Replicas, want)
	}
	ru := dep.Spec.Strategy.RollingUpdate
	if dep.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType || ru == nil || ru.MaxUnavailable == nil || ru.MaxUnavailable.IntValue() != 0 {
		t.Errorf("strategy %+v: an update must start a new instance before it stops an old one (maxUnavailable 0)", dep.Spec.Strategy)
	}
	if !selects(dep.Spec.Selector, dep.Spec.Template.Labels) {
		t.Errorf("the Deployment's selector %v does not select its pods %v", dep.Spec.Selector, dep.Spec.Template.Labels)
	}
}

// checkPodHardening: non-root as 65532, read-only root file system, no privilege escalation,
// every capability dropped, seccomp RuntimeDefault, no service account token, a writable /tmp,
// and resource requests.
func checkPodHardening(t *testing.T, what string, spec corev1.PodSpec) {
	t.Helper()
	psc := spec.SecurityContext
	if psc == nil {
		t.Fatalf("%s: no pod security context", what)
	}
	if psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser != 65532 {
		t.Errorf("%s: pod must run as non-root user 65532: %+v", what, psc)
	}
	if psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("%s: pod seccomp profile must be RuntimeDefault: %+v", what, psc.SeccompProfile)
	}
	if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
		t.Errorf("%s: the service account token must not be mounted", what)
	}
	if spec.HostNetwork || spec.HostPID || spec.HostIPC {
		t.Errorf("%s: host namespaces", what)
	}
	containers := append(slices.Clone(spec.InitContainers), spec.Containers...)
	if len(containers) == 0 {
		t.Fatalf("%s: no containers", what)
	}
	for _, c := range containers {
		sc := c.SecurityContext
		if sc == nil {
			t.Errorf("%s/%s: no security context", what, c.Name)
			continue
		}
		if sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || (sc.RunAsUser != nil && *sc.RunAsUser != 65532) {
			t.Errorf("%s/%s: must run as non-root user 65532", what, c.Name)
		}
		if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			t.Errorf("%s/%s: root file system must be read-only", what, c.Name)
		}
		if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			t.Errorf("%s/%s: allowPrivilegeEscalation must be false", what, c.Name)
		}
		if sc.Privileged != nil && *sc.Privileged {
			t.Errorf("%s/%s: privileged", what, c.Name)
		}
		if sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") || len(sc.Capabilities.Add) > 0 {
			t.Errorf("%s/%s: capabilities must drop ALL and add none: %+v", what, c.Name, sc.Capabilities)
		}
		if sc.SeccompProfile != nil && sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
			t.Errorf("%s/%s: seccomp profile %s", what, c.Name, sc.SeccompProfile.Type)
		}
		req := c.Resources.Requests
		if req.Cpu().IsZero() || req.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
			t.Errorf("%s/%s: needs cpu and memory requests and a memory limit: %+v", what, c.Name, c.Resources)
		}
		tmp := false
		for _, vm := range c.VolumeMounts {
			if vm.MountPath == "/tmp" && !vm.ReadOnly {
				v := volume(spec, vm.Name)
				tmp = v != nil && v.EmptyDir != nil
			}
		}
		if !tmp {
			t.Errorf("%s/%s: needs a writable emptyDir at /tmp (the root file system is read-only)", what, c.Name)
		}
	}
}

func volume(spec corev1.PodSpec, name string) *corev1.Volume {
	for i := range spec.Volumes {
		if spec.Volumes[i].Name == name {
			return &spec.Volumes[i]
		}
	}
	return nil
}

// healthRoutes reads the paths that internal/web registers for the two health handlers, so the
// probes follow the code.
func healthRoutes(t *testing.T) (live, ready string) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", "internal", "web", "routes.go"))
	if err != nil {
		t.Fatal(err)
	}
	find := func(handler string) string {
		re := regexp.MustCompile(`http\.MethodGet, "(/[a-z]+)", s\.` + handler + `\b`)
		mm := re.FindSubmatch(src)
		if mm == nil {
			t.Fatalf("internal/web/routes.go registers no GET route for s.%s", handler)
		}
		return string(mm[1])
	}
	return find("healthz"), find("readyz")
}

func checkProbes(t *testing.T, dep appsv1.Deployment) {
	t.Helper()
	live, ready := healthRoutes(t)
	c := dep.Spec.Template.Spec.Containers[0]
	port := containerPort(c, "http")
	if port == 0 {
		t.Fatalf("container %s has no port named http", c.Name)
	}
	if addr, _ := env(c, "LOTSE_HTTP_ADDR"); addr != ":"+strconv.Itoa(int(port)) {
		t.Errorf("LOTSE_HTTP_ADDR = %q, but the container port is %d", addr, port)
	}
	for _, p := range []struct {
		name  string
		probe *corev1.Probe
		path  string
	}{
		{"readiness", c.ReadinessProbe, ready},
		{"liveness", c.LivenessProbe, live},
		{"startup", c.StartupProbe, live},
	} {
		if p.probe == nil || p.probe.HTTPGet == nil {
			t.Errorf("%s probe: want an HTTP GET of %s", p.name, p.path)
			continue
		}
		g := p.probe.HTTPGet
		if g.Path != p.path || !portIs(g.Port, c, port) {
			t.Errorf("%s probe: GET %s on port %s, want %s on the http port", p.name, g.Path, g.Port.String(), p.path)
		}
	}
}

func containerPort(c corev1.Container, name string) int32 {
	for _, p := range c.Ports {
		if p.Name == name {
			return p.ContainerPort
		}
	}
	return 0
}

func portIs(p intstr.IntOrString, c corev1.Container, want int32) bool {
	if p.Type == intstr.String {
		return containerPort(c, p.StrVal) == want
	}
	return p.IntVal == want
}

func env(c corev1.Container, name string) (string, bool) {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value, true
		}
	}
	return "", false
}

// checkDrain: the pod's termination grace covers Lotse's readiness delay and in-flight grace.
func checkDrain(t *testing.T, dep appsv1.Deployment) {
	t.Helper()
	c := dep.Spec.Template.Spec.Containers[0]
	dur := func(name string, def time.Duration) time.Duration {
		v, ok := env(c, name)
		if !ok {
			return def
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("%s = %q: %v", name, v, err)
		}
		return d
	}
	need := dur("LOTSE_SHUTDOWN_READINESS_DELAY", lotseReadinessDelay) + dur("LOTSE_SHUTDOWN_GRACE", lotseShutdownGrace)
	tg := dep.Spec.Template.Spec.TerminationGracePeriodSeconds
	if tg == nil || time.Duration(*tg)*time.Second <= need {
		t.Errorf("terminationGracePeriodSeconds = %v, must exceed readiness delay plus grace (%s)", tg, need)
	}
}

func checkPDB(t *testing.T, m *manifests, dep appsv1.Deployment) {
	t.Helper()
	pdb := one(t, "PodDisruptionBudget", m.PDBs)
	if pdb.Spec.MinAvailable == nil || pdb.Spec.MinAvailable.Type != intstr.Int || pdb.Spec.MinAvailable.IntVal != 1 {
		t.Errorf("PodDisruptionBudget minAvailable = %v, want 1", pdb.Spec.MinAvailable)
	}
	if pdb.Spec.MaxUnavailable != nil {
		t.Errorf("PodDisruptionBudget sets maxUnavailable too")
	}
	if !selects(pdb.Spec.Selector, dep.Spec.Template.Labels) {
		t.Errorf("PodDisruptionBudget selector %v misses the instances %v", pdb.Spec.Selector, dep.Spec.Template.Labels)
	}
}

func checkService(t *testing.T, m *manifests, dep appsv1.Deployment) {
	t.Helper()
	svc := one(t, "Service", m.Services)
	if len(svc.Spec.Selector) == 0 || !selects(&metav1.LabelSelector{MatchLabels: svc.Spec.Selector}, dep.Spec.Template.Labels) {
		t.Errorf("Service selector %v misses the instances %v", svc.Spec.Selector, dep.Spec.Template.Labels)
	}
	if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Name != "http" || !portIs(svc.Spec.Ports[0].TargetPort, dep.Spec.Template.Spec.Containers[0], containerPort(dep.Spec.Template.Spec.Containers[0], "http")) {
		t.Errorf("Service ports %+v: want one port http to the container's http port", svc.Spec.Ports)
	}
}

// secretFile is where a *_FILE variable's file comes from: a key of a Secret.
type secretFile struct{ secret, key string }

// secretFiles maps each *_FILE variable of the pod's containers to the Secret key projected at
// its path, and fails for a file that no volume provides.
func secretFiles(t *testing.T, what string, spec corev1.PodSpec) map[string]secretFile {
	t.Helper()
	out := map[string]secretFile{}
	for _, c := range spec.Containers {
		for _, e := range c.Env {
			if !strings.HasSuffix(e.Name, "_FILE") {
				continue
			}
			src, ok := fileSource(spec, c, e.Value)
			if !ok {
				t.Errorf("%s/%s: %s=%s is no file of a mounted Secret", what, c.Name, e.Name, e.Value)
				continue
			}
			out[strings.TrimSuffix(e.Name, "_FILE")] = src
		}
	}
	return out
}

func fileSource(spec corev1.PodSpec, c corev1.Container, path string) (secretFile, bool) {
	for _, vm := range c.VolumeMounts {
		dir := strings.TrimSuffix(vm.MountPath, "/") + "/"
		if !strings.HasPrefix(path, dir) {
			continue
		}
		rel := strings.TrimPrefix(path, dir)
		v := volume(spec, vm.Name)
		if v == nil {
			continue
		}
		var sources []corev1.SecretProjection
		if v.Projected != nil {
			for _, s := range v.Projected.Sources {
				if s.Secret != nil {
					sources = append(sources, *s.Secret)
				}
			}
		}
		if v.Secret != nil {
			sources = append(sources, corev1.SecretProjection{LocalObjectReference: corev1.LocalObjectReference{Name: v.Secret.SecretName}, Items: v.Secret.Items})
		}
		for _, s := range sources {
			for _, it := range s.Items {
				if it.Path == rel {
					return secretFile{s.Name, it.Key}, true
				}
			}
		}
	}
	return secretFile{}, false
}

// checkSecretFiles: secrets arrive as files of a read-only mount with their *_FILE variable, never
// as plain values.
func checkSecretFiles(t *testing.T, what string, spec corev1.PodSpec) {
	t.Helper()
	secretFiles(t, what, spec)
	for _, c := range spec.Containers {
		for _, vm := range c.VolumeMounts {
			if v := volume(spec, vm.Name); v != nil && (v.Projected != nil || v.Secret != nil) && !vm.ReadOnly {
				t.Errorf("%s/%s: secret volume %s is mounted writable", what, c.Name, vm.Name)
			}
		}
		for _, e := range c.Env {
			for _, s := range []string{"LOTSE_DATABASE_URL", "LOTSE_MIGRATION_DATABASE_URL", "LOTSE_OIDC_CLIENT_SECRET", "LOTSE_AUDIT_SIGNING_KEY", "LOTSE_SMTP_PASSWORD", "LOTSE_DATABASE_REPLICA_URL"} {
				if e.Name == s && (e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil) {
					t.Errorf("%s/%s: secret %s given as a plain value", what, c.Name, s)
				}
			}
		}
	}
}

// checkRoles: the Job migrates as the owner and the instances serve as the application role;
// the instances cannot read the owner's URL in any way.
func checkRoles(t *testing.T, m *manifests, dep appsv1.Deployment, job batchv1.Job, production bool) {
	t.Helper()
	jspec, dspec := job.Spec.Template.Spec, dep.Spec.Template.Spec
	hooks := strings.Split(job.Annotations["helm.sh/hook"], ",")
	wantHooks := []string{"pre-install", "pre-upgrade"}
	if production { // the CloudNativePG cluster is part of the release: it exists only after install
		wantHooks = []string{"post-install", "pre-upgrade"}
	}
	slices.Sort(hooks)
	if !slices.Equal(hooks, wantHooks) {
		t.Errorf("migration Job hooks %v, want %v", hooks, wantHooks)
	}
	if _, err := strconv.Atoi(job.Annotations["helm.sh/hook-weight"]); err != nil {
		t.Errorf("migration Job hook weight %q", job.Annotations["helm.sh/hook-weight"])
	}
	if !strings.Contains(job.Annotations["helm.sh/hook-delete-policy"], "before-hook-creation") {
		t.Errorf("migration Job hook-delete-policy %q: the next release must replace it", job.Annotations["helm.sh/hook-delete-policy"])
	}
	if jspec.RestartPolicy != corev1.RestartPolicyNever || job.Spec.BackoffLimit == nil || job.Spec.ActiveDeadlineSeconds == nil {
		t.Errorf("migration Job: restartPolicy %q, backoffLimit %v, activeDeadlineSeconds %v", jspec.RestartPolicy, job.Spec.BackoffLimit, job.Spec.ActiveDeadlineSeconds)
	}
	if len(jspec.Containers) != 1 || !slices.Equal(jspec.Containers[0].Args, []string{"migrate", "up"}) {
		t.Errorf("migration Job must run `lotse migrate up`: %+v", jspec.Containers)
	}
	if len(dspec.Containers) != 1 || !slices.Equal(dspec.Containers[0].Args, []string{"serve"}) {
		t.Errorf("the instances must run `lotse serve`: %v", dspec.Containers[0].Args)
	}
	if jspec.Containers[0].Image != dspec.Containers[0].Image {
		t.Errorf("migration Job image %q differs from the instances' %q", jspec.Containers[0].Image, dspec.Containers[0].Image)
	}

	jf, df := secretFiles(t, "Job", jspec), secretFiles(t, "Deployment", dspec)
	owner, ok := jf["LOTSE_MIGRATION_DATABASE_URL"]
	if !ok {
		t.Fatalf("migration Job has no LOTSE_MIGRATION_DATABASE_URL_FILE")
	}
	if _, ok := jf["LOTSE_DATABASE_URL"]; ok {
		t.Errorf("migration Job gets the application role's URL: it needs only the owner's")
	}
	if production {
		want := secretFile{one(t, "Cluster", m.Clusters).Name + "-app", "uri"}
		if owner != want {
			t.Errorf("with CloudNativePG the owner's URL is %+v, want the operator's %+v", owner, want)
		}
	}
	app, ok := df["LOTSE_DATABASE_URL"]
	if !ok {
		t.Errorf("the instances have no LOTSE_DATABASE_URL_FILE")
	}
	if app == owner {
		t.Errorf("the instances and the migration Job read the same URL %+v", app)
	}
	if _, ok := df["LOTSE_MIGRATION_DATABASE_URL"]; ok {
		t.Errorf("the instances get the owner's URL")
	}
	for _, c := range append(slices.Clone(dspec.InitContainers), dspec.Containers...) {
		for _, name := range []string{"LOTSE_MIGRATION_DATABASE_URL", "LOTSE_MIGRATION_DATABASE_URL_FILE", "LOTSE_MIGRATE"} {
			if _, ok := env(c, name); ok {
				t.Errorf("the instances set %s: they serve as the application role and never migrate", name)
			}
		}
		for _, e := range c.Env {
			if r := e.ValueFrom; r != nil && r.SecretKeyRef != nil && (secretFile{r.SecretKeyRef.Name, r.SecretKeyRef.Key}) == owner {
				t.Errorf("the instances read the owner's URL through %s", e.Name)
			}
		}
		for _, ef := range c.EnvFrom {
			if ef.SecretRef != nil && ef.SecretRef.Name == owner.secret {
				t.Errorf("the instances import the whole Secret %s, which holds the owner's URL", owner.secret)
			}
		}
	}
	for _, v := range dspec.Volumes {
		if v.Secret != nil && v.Secret.SecretName == owner.secret && len(v.Secret.Items) == 0 {
			t.Errorf("the instances mount the whole Secret %s, which holds the owner's URL", owner.secret)
		}
		if v.Projected == nil {
			continue
		}
		for _, s := range v.Projected.Sources {
			if s.Secret == nil {
				continue
			}
			if s.Secret.Name == owner.secret && len(s.Secret.Items) == 0 {
				t.Errorf("the instances project the whole Secret %s, which holds the owner's URL", owner.secret)
			}
			for _, it := range s.Secret.Items {
				if (secretFile{s.Secret.Name, it.Key}) == owner {
					t.Errorf("the instances mount the owner's URL at %s", it.Path)
				}
			}
		}
	}
}

// checkEnvNames: every LOTSE_* variable the chart sets is one Lotse reads.
func checkEnvNames(t *testing.T, known map[string]bool, specs ...corev1.PodSpec) {
	t.Helper()
	for _, spec := range specs {
		for _, c := range append(slices.Clone(spec.InitContainers), spec.Containers...) {
			if len(c.EnvFrom) > 0 {
				t.Errorf("%s: envFrom hides the names of the settings", c.Name)
			}
			for _, e := range c.Env {
				if slices.Contains(libpqEnv, e.Name) || slices.Contains(otelEnv, e.Name) {
					continue
				}
				if !strings.HasPrefix(e.Name, "LOTSE_") {
					t.Errorf("%s: %s is no setting of Lotse", c.Name, e.Name)
					continue
				}
				if !known[e.Name] {
					t.Errorf("%s: %s is not in internal/config", c.Name, e.Name)
				}
			}
		}
	}
}

// placeholderSecrets stand for the Secret's keys when checkLotseAccepts hands the settings to
// Lotse's own configuration.
var placeholderSecrets = map[string]string{
	"LOTSE_DATABASE_URL":           "postgres://lotse_server:pw@lotse-db-rw:5432/lotse",
	"LOTSE_MIGRATION_DATABASE_URL": "postgres://lotse_owner:pw@lotse-db-rw:5432/lotse",
	"LOTSE_DATABASE_REPLICA_URL":   "postgres://lotse_server:pw@lotse-db-ro:5432/lotse",
	"LOTSE_OIDC_CLIENT_SECRET":     "client-secret",
	"LOTSE_AUDIT_SIGNING_KEY":      strings.Repeat("0", 63) + "1",
	"LOTSE_SMTP_PASSWORD":          "pw",
}

// checkLotseAccepts parses the container's environment as `lotse` does (kong with the *_FILE
// resolver; each file written with a placeholder for its Secret key) and validates it for the
// command the container runs: the chart's settings must start Lotse, not only be known names.
func checkLotseAccepts(t *testing.T, known map[string]bool, what string, spec corev1.PodSpec, serving bool) {
	t.Helper()
	for _, name := range slices.Concat(slices.Collect(maps.Keys(known)), libpqEnv, otelEnv) { // a developer's own variables must not count
		t.Setenv(name, "")
		os.Unsetenv(name)
	}
	dir := t.TempDir()
	for _, e := range spec.Containers[0].Env {
		v := e.Value
		if e.Name == "PGSSLROOTCERT" { // pgx loads the CA when it parses a URL
			v = filepath.Join(dir, "ca.crt")
			if err := os.WriteFile(v, testCA(t), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if e.ValueFrom != nil {
			p, ok := placeholderSecrets[e.Name]
			if !ok {
				t.Fatalf("%s: no placeholder for %s from a Secret", what, e.Name)
			}
			v = p
		}
		if base, ok := strings.CutSuffix(e.Name, "_FILE"); ok {
			p, ok := placeholderSecrets[base]
			if !ok {
				t.Fatalf("%s: no placeholder for the file of %s", what, e.Name)
			}
			v = filepath.Join(dir, base)
			if err := os.WriteFile(v, []byte(p+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		t.Setenv(e.Name, v)
	}
	var cfg config.Config
	parser, err := kong.New(&cfg, kong.Resolvers(config.FileResolver()), kong.Exit(func(int) {}))
	if err == nil {
		_, err = parser.Parse(nil)
	}
	if err != nil {
		t.Fatalf("%s: Lotse cannot read the settings: %v", what, err)
	}
	if err := cfg.ValidateFor(serving, !serving); err != nil {
		t.Errorf("%s: Lotse refuses the settings:\n%v", what, err)
	}
	if serving && (cfg.DatabaseURL != placeholderSecrets["LOTSE_DATABASE_URL"] || cfg.MigrationDatabaseURL != "") {
		t.Errorf("%s: serves with database %q and migration URL %q", what, cfg.DatabaseURL, cfg.MigrationDatabaseURL)
	}
	if !serving && (cfg.MigrationDatabaseURL != placeholderSecrets["LOTSE_MIGRATION_DATABASE_URL"] || cfg.DatabaseURL != "") {
		t.Errorf("%s: migrates with %q (database URL %q)", what, cfg.MigrationDatabaseURL, cfg.DatabaseURL)
	}
}

// testCA is a self-signed CA certificate in PEM, standing for the database cluster's CA.
func testCA(t *testing.T) []byte {
	t.Helper()
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "lotse-db"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// checkDatabaseTLS: with the CloudNativePG cluster, the instances and the migration Job verify
// the server's certificate against the cluster's CA; without it the chart leaves TLS to the URL.
func checkDatabaseTLS(t *testing.T, m *manifests, production bool, specs map[string]corev1.PodSpec) {
	t.Helper()
	for what, spec := range specs {
		c := spec.Containers[0]
		mode, hasMode := env(c, "PGSSLMODE")
		root, hasRoot := env(c, "PGSSLROOTCERT")
		if !production {
			if hasMode || hasRoot {
				t.Errorf("%s: sets PGSSLMODE or PGSSLROOTCERT without a database cluster", what)
			}
			continue
		}
		if mode != "verify-full" {
			t.Errorf("%s: PGSSLMODE = %q, want verify-full", what, mode)
		}
		src, ok := fileSource(spec, c, root)
		want := secretFile{one(t, "Cluster", m.Clusters).Name + "-ca", "ca.crt"}
		if !hasRoot || !ok || src != want {
			t.Errorf("%s: PGSSLROOTCERT=%q comes from %+v, want the cluster's CA %+v", what, root, src, want)
		}
	}
}

// checkNetworkPolicies: the instances take connections on the http port only, from named peers,
// and every egress rule names its ports (DNS, the database, the OIDC provider, SMTP); the
// migration Job takes none and reaches only DNS and the database.
func checkNetworkPolicies(t *testing.T, m *manifests, dep appsv1.Deployment, job batchv1.Job, production bool) {
	t.Helper()
	var forDep, forJob []networkingv1.NetworkPolicy
	for _, np := range m.NetworkPolicies {
		sel := np.Spec.PodSelector
		if len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0 {
			t.Errorf("NetworkPolicy %s selects every pod of the namespace", np.Name)
		}
		if selects(&sel, dep.Spec.Template.Labels) {
			forDep = append(forDep, np)
		}
		if selects(&sel, job.Spec.Template.Labels) {
			forJob = append(forJob, np)
		}
	}
	dnp := one(t, "NetworkPolicy of the instances", forDep)
	jnp := one(t, "NetworkPolicy of the migration Job", forJob)
	c := dep.Spec.Template.Spec.Containers[0]
	httpPort := containerPort(c, "http")
	dbPort := int32(5432)
	for _, np := range []networkingv1.NetworkPolicy{dnp, jnp} {
		if !slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeIngress) || !slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeEgress) {
			t.Errorf("NetworkPolicy %s must restrict ingress and egress: %v", np.Name, np.Spec.PolicyTypes)
		}
	}
	if len(jnp.Spec.Ingress) != 0 {
		t.Errorf("NetworkPolicy %s admits connections to the migration Job", jnp.Name)
	}
	if len(dnp.Spec.Ingress) == 0 {
		t.Errorf("NetworkPolicy %s admits nobody: the ingress controller cannot reach the instances", dnp.Name)
	}
	for _, r := range dnp.Spec.Ingress {
		if len(r.From) == 0 {
			t.Errorf("NetworkPolicy %s: an ingress rule without peers admits everyone", dnp.Name)
		}
		if len(r.Ports) == 0 {
			t.Errorf("NetworkPolicy %s: an ingress rule without ports admits every port", dnp.Name)
		}
		for _, p := range r.Ports {
			if p.Port == nil || !portIs(*p.Port, c, httpPort) {
				t.Errorf("NetworkPolicy %s admits port %v, want only the http port", dnp.Name, p.Port)
			}
		}
	}
	allowed := map[int32]string{53: "DNS", dbPort: "database", 443: "OIDC provider", 587: "SMTP", 4318: "OpenTelemetry collector"}
	egressPorts := func(np networkingv1.NetworkPolicy) map[int32]bool {
		got := map[int32]bool{}
		for _, r := range np.Spec.Egress {
			if len(r.Ports) == 0 {
				t.Errorf("NetworkPolicy %s: an egress rule without ports opens every port", np.Name)
			}
			for _, p := range r.Ports {
				if p.Port == nil || p.Port.Type != intstr.Int {
					t.Errorf("NetworkPolicy %s: egress port %v must be a number", np.Name, p.Port)
					continue
				}
				if _, ok := allowed[p.Port.IntVal]; !ok {
					t.Errorf("NetworkPolicy %s opens egress port %d", np.Name, p.Port.IntVal)
				}
				if p.Port.IntVal == dbPort && production {
					cl := one(t, "Cluster", m.Clusters)
					if len(r.To) != 1 || r.To[0].PodSelector == nil || r.To[0].PodSelector.MatchLabels["cnpg.io/cluster"] != cl.Name {
						t.Errorf("NetworkPolicy %s: the database rule must reach only the pods of %s: %+v", np.Name, cl.Name, r.To)
					}
				}
				got[p.Port.IntVal] = true
			}
		}
		return got
	}
	dp, jp := egressPorts(dnp), egressPorts(jnp)
	for _, p := range []int32{53, dbPort, 443} {
		if !dp[p] {
			t.Errorf("NetworkPolicy %s: the instances cannot reach the %s (port %d)", dnp.Name, allowed[p], p)
		}
	}
	if production && !dp[587] {
		t.Errorf("NetworkPolicy %s: SMTP is configured but port 587 is closed", dnp.Name)
	}
	if !production && dp[587] {
		t.Errorf("NetworkPolicy %s opens SMTP although no SMTP server is configured", dnp.Name)
	}
	// Traces: the collector's port is open exactly when the instances send spans there.
	endpoint, tracing := env(c, "OTEL_EXPORTER_OTLP_ENDPOINT")
	if mode, _ := env(c, "LOTSE_TRACING"); tracing != production || (tracing && (mode != "on" || endpoint != "http://otel-collector.monitoring:4318")) {
		t.Errorf("tracing: want it on with the collector of values-production.yaml only there, got LOTSE_TRACING=%q OTEL_EXPORTER_OTLP_ENDPOINT=%q", mode, endpoint)
	}
	if dp[4318] != tracing {
		t.Errorf("NetworkPolicy %s: the collector's port 4318 is open %v, traces are sent %v", dnp.Name, dp[4318], tracing)
	}
	if !jp[53] || !jp[dbPort] || len(jp) != 2 {
		t.Errorf("NetworkPolicy %s: the migration Job must reach DNS and the database only, got %v", jnp.Name, jp)
	}
	for _, h := range []string{"helm.sh/hook", "helm.sh/hook-weight"} {
		if h == "helm.sh/hook" && jnp.Annotations[h] != job.Annotations[h] {
			t.Errorf("NetworkPolicy %s must exist when the migration Job runs: hook %q, the Job's %q", jnp.Name, jnp.Annotations[h], job.Annotations[h])
		}
		if h == "helm.sh/hook-weight" && weight(t, jnp.Annotations[h]) >= weight(t, job.Annotations[h]) {
			t.Errorf("NetworkPolicy %s must come before the migration Job (weights %s, %s)", jnp.Name, jnp.Annotations[h], job.Annotations[h])
		}
	}
}

func weight(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("hook weight %q: %v", s, err)
	}
	return n
}

func checkServiceAccounts(t *testing.T, m *manifests, dep appsv1.Deployment, job batchv1.Job) {
	t.Helper()
	byName := map[string]corev1.ServiceAccount{}
	for _, sa := range m.ServiceAccounts {
		byName[sa.Name] = sa
		if sa.AutomountServiceAccountToken == nil || *sa.AutomountServiceAccountToken {
			t.Errorf("ServiceAccount %s mounts its token", sa.Name)
		}
	}
	if _, ok := byName[dep.Spec.Template.Spec.ServiceAccountName]; !ok {
		t.Errorf("the instances' ServiceAccount %q is not in the chart", dep.Spec.Template.Spec.ServiceAccountName)
	}
	sa, ok := byName[job.Spec.Template.Spec.ServiceAccountName]
	if !ok {
		t.Fatalf("the migration Job's ServiceAccount %q is not in the chart", job.Spec.Template.Spec.ServiceAccountName)
	}
	if sa.Annotations["helm.sh/hook"] != job.Annotations["helm.sh/hook"] || weight(t, sa.Annotations["helm.sh/hook-weight"]) >= weight(t, job.Annotations["helm.sh/hook-weight"]) {
		t.Errorf("ServiceAccount %s must be a hook before the migration Job: %v", sa.Name, sa.Annotations)
	}
}

// checkOptional: the defaults have no Ingress, ServiceMonitor or database cluster; the
// production example has all three, correctly wired.
func checkOptional(t *testing.T, m *manifests, dep appsv1.Deployment, production bool) {
	t.Helper()
	if !production {
		if len(m.Ingresses)+len(m.ServiceMonitors)+len(m.Clusters) != 0 {
			t.Errorf("the defaults render %d Ingresses, %d ServiceMonitors, %d Clusters; want none", len(m.Ingresses), len(m.ServiceMonitors), len(m.Clusters))
		}
		return
	}
	svc := one(t, "Service", m.Services)

	ing := one(t, "Ingress", m.Ingresses)
	tlsHosts := map[string]bool{}
	for _, tl := range ing.Spec.TLS {
		if tl.SecretName == "" {
			t.Errorf("Ingress TLS without a Secret")
		}
		for _, h := range tl.Hosts {
			tlsHosts[h] = true
		}
	}
	if len(ing.Spec.Rules) == 0 {
		t.Errorf("Ingress without rules")
	}
	for _, r := range ing.Spec.Rules {
		if !tlsHosts[r.Host] {
			t.Errorf("Ingress host %q is served without TLS", r.Host)
		}
		for _, p := range r.HTTP.Paths {
			b := p.Backend.Service
			if b == nil || b.Name != svc.Name || b.Port.Name != "http" {
				t.Errorf("Ingress path %s goes to %+v, want the Service %s port http", p.Path, b, svc.Name)
			}
		}
	}

	sm := one(t, "ServiceMonitor", m.ServiceMonitors)
	if !selects(&sm.Spec.Selector, svc.Labels) {
		t.Errorf("ServiceMonitor selector %v misses the Service's labels %v", sm.Spec.Selector, svc.Labels)
	}
	if len(sm.Spec.Endpoints) != 1 || sm.Spec.Endpoints[0].Port != "http" || sm.Spec.Endpoints[0].Path != "/metrics" {
		t.Errorf("ServiceMonitor endpoints %+v, want port http path /metrics", sm.Spec.Endpoints)
	}

	cl := one(t, "Cluster", m.Clusters)
	if cl.Spec.Instances < 3 {
		t.Errorf("Cluster instances = %d, want a primary and two replicas", cl.Spec.Instances)
	}
	init := cl.Spec.Bootstrap.InitDB
	if init == nil || init.Owner == "" || init.Database == "" {
		t.Fatalf("Cluster bootstrap: want initdb with database and owner: %+v", init)
	}
	roles := map[string]cnpgRole{}
	for _, r := range cl.Spec.Managed.Roles {
		roles[r.Name] = r
		if r.Superuser || r.CreateRole || r.CreateDB {
			t.Errorf("managed role %s may do more than it needs", r.Name)
		}
	}
	if g, ok := roles["lotse_app"]; !ok || g.Login || g.Ensure != "present" {
		t.Errorf("managed roles must have the group role lotse_app without login: %+v", g)
	}
	var app *cnpgRole
	for _, r := range cl.Spec.Managed.Roles {
		if slices.Contains(r.InRoles, "lotse_app") {
			r := r
			app = &r
		}
	}
	if app == nil || !app.Login || app.PasswordSecret == nil || app.PasswordSecret.Name == "" || app.Name == init.Owner {
		t.Errorf("managed roles must have a login role in lotse_app with a password Secret, not the owner %s: %+v", init.Owner, app)
	}
}

// selects tells whether the selector matches the labels (matchLabels only: the chart uses no
// expressions).
func selects(sel *metav1.LabelSelector, labels map[string]string) bool {
	if sel == nil || len(sel.MatchExpressions) > 0 || len(sel.MatchLabels) == 0 {
		return false
	}
	for k, v := range sel.MatchLabels {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// TestChartRefusesUnsafeValues: the chart stops rendering on values that would weaken the
// installation instead of producing it: values.schema.json refuses what it can describe, and
// the templates refuse the rest, also when the schema is skipped.
func TestChartRefusesUnsafeValues(t *testing.T) {
	for _, tc := range []struct {
		name   string
		vals   map[string]any
		want   string // the templates' refusal ("" when only the schema can tell)
		schema string // the schema's refusal ("" when only the templates can tell)
	}{
		{"one replica", map[string]any{"replicaCount": 1}, "replicaCount must be 2 or more", "/replicaCount"},
		{"a misspelt value", map[string]any{"replicaCont": 3}, "", "replicaCont"},
		{"a misspelt section", map[string]any{"networkPolicy": map[string]any{"egres": map[string]any{}}}, "", "egres"},
		{"a secret in config", map[string]any{"config": map[string]any{"LOTSE_DATABASE_URL": "postgres://u:p@db/lotse"}}, "config.LOTSE_DATABASE_URL", ""},
		{"a secret file in config", map[string]any{"config": map[string]any{"LOTSE_AUDIT_SIGNING_KEY_FILE": "/k"}}, "config.LOTSE_AUDIT_SIGNING_KEY_FILE", ""},
		{"migrating instances", map[string]any{"config": map[string]any{"LOTSE_MIGRATE": "true"}}, "config.LOTSE_MIGRATE", ""},
		{"a foreign variable", map[string]any{"config": map[string]any{"DATABASE_URL": "x"}}, "config.DATABASE_URL", "DATABASE_URL"},
		{"an open network policy", map[string]any{"networkPolicy": map[string]any{"ingress": map[string]any{"from": []any{}}}}, "networkPolicy.ingress.from", ""},
		{"no migration URL", map[string]any{"secrets": map[string]any{"files": map[string]any{"migrationDatabaseURL": map[string]any{"key": ""}}}}, "migrationDatabaseURL.key is required", ""},
		{"no Secret", map[string]any{"secrets": map[string]any{"existingSecret": ""}}, "secrets.existingSecret is required", ""},
		{"a single database instance", map[string]any{"cnpg": map[string]any{"enabled": true, "instances": 1}}, "cnpg.instances must be 2 or more", ""},
		{"the owner serving", map[string]any{"cnpg": map[string]any{"enabled": true, "applicationRole": map[string]any{"name": "lotse_owner"}}}, "must differ from cnpg.owner", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := cmp.Or(tc.schema, tc.want)
			if _, err := renderValues(tc.vals); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("render error %v, want one containing %q", err, want)
			}
			if tc.want == "" {
				return
			}
			if _, err := renderValuesSchema(tc.vals, true); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("without the schema: render error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
