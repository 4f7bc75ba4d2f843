package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	v1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

// permission is one verb on one resource, of one name ("" any) in one
// scope ("" cluster-wide, else a namespace).
type permission struct{ scope, group, resource, name, verb string }

func (p permission) String() string {
	s := fmt.Sprintf("%s %s/%s", p.verb, p.group, p.resource)
	if p.group == "" {
		s = fmt.Sprintf("%s %s", p.verb, p.resource)
	}
	if p.name != "" {
		s += " named " + p.name
	}
	if p.scope != "" {
		s += " in " + p.scope
	}
	return s
}

// expand lists the permissions that rules grant in scope.
func expand(scope string, rules []rbacv1.PolicyRule) []permission {
	var out []permission
	for _, r := range rules {
		names := r.ResourceNames
		if len(names) == 0 {
			names = []string{""}
		}
		for _, g := range r.APIGroups {
			for _, res := range r.Resources {
				for _, n := range names {
					for _, v := range r.Verbs {
						out = append(out, permission{scope, g, res, n, v})
					}
				}
			}
		}
	}
	return out
}

// covers says whether grant allows at least what p asks.
func covers(grant, p permission) bool {
	return grant.group == p.group && grant.resource == p.resource && grant.verb == p.verb &&
		(grant.scope == "" || grant.scope == p.scope) && (grant.name == "" || grant.name == p.name)
}

func coveredBy(p permission, grants []permission) bool {
	return slices.ContainsFunc(grants, func(g permission) bool { return covers(g, p) })
}

// spillwayExtras are the permissions manifests/rbac.yaml grants beyond
// kube-scheduler's, each documented there.
var spillwayExtras = []permission{
	// BurstCost reads a Job's activeDeadlineSeconds (a Jobs informer).
	{"", "batch", "jobs", "", "get"}, {"", "batch", "jobs", "", "list"}, {"", "batch", "jobs", "", "watch"},
}

// kubeSchedulerOmitted are kube-scheduler's permissions that rbac.yaml
// deliberately leaves out, as its header says.
var kubeSchedulerOmitted = map[permission]string{
	{"", "extensions", "replicasets", "", "get"}:                           "no 1.16+ API server serves extensions",
	{"", "extensions", "replicasets", "", "list"}:                          "no 1.16+ API server serves extensions",
	{"", "extensions", "replicasets", "", "watch"}:                         "no 1.16+ API server serves extensions",
	{"", "coordination.k8s.io", "leases", "spillway-scheduler", "list"}:    "the lease lock only gets, creates and updates",
	{"", "coordination.k8s.io", "leases", "spillway-scheduler", "watch"}:   "the lease lock only gets, creates and updates",
	{"", "coordination.k8s.io", "leasecandidates", "", "deletecollection"}: "a candidate deletes only its own LeaseCandidate",
}

// TestRBACLeastPrivilege compares manifests/rbac.yaml with kube-scheduler's
// own roles as the test API server bootstraps them (ClusterRoles
// system:kube-scheduler and system:volume-scheduler, Role
// kube-system/extension-apiserver-authentication-reader): no wildcard, no
// permission beyond kube-scheduler's but the documented extras, lease
// permissions only in kube-system and only for Spillway's own lease, and
// none of kube-scheduler's missing but the documented omissions. Its
// bindings name only Spillway's ServiceAccount.
func TestRBACLeastPrivilege(t *testing.T) {
	e := setup(t)
	api := e.apiServer(t)
	ctx := t.Context()

	// kube-scheduler's, its own lease renamed to Spillway's.
	var theirs []permission
	for _, name := range []string{"system:kube-scheduler", "system:volume-scheduler"} {
		cr, err := api.client.RbacV1().ClusterRoles().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatalf("the API server's bootstrap ClusterRole %s: %v", name, err)
		}
		theirs = append(theirs, expand("", cr.Rules)...)
	}
	reader, err := api.client.RbacV1().Roles("kube-system").Get(ctx, "extension-apiserver-authentication-reader", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	theirs = append(theirs, expand("kube-system", reader.Rules)...)
	for i, p := range theirs {
		if p.name == "kube-scheduler" {
			theirs[i].name = "spillway-scheduler"
		}
	}

	// Spillway's.
	objs, err := readObjects(filepath.Join(e.root, "manifests", "rbac.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var ours []permission
	var roles, bindings []string
	for _, o := range objs {
		switch o.GetKind() {
		case "ClusterRole", "Role":
			var r rbacv1.ClusterRole // a Role's fields are a subset
			if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(o.Object, &r, true); err != nil {
				t.Fatalf("rbac.yaml: %s %s: %v", o.GetKind(), o.GetName(), err)
			}
			if r.AggregationRule != nil {
				t.Errorf("rbac.yaml: %s %s aggregates other roles", o.GetKind(), o.GetName())
			}
			for i, rule := range r.Rules {
				for _, field := range [][]string{rule.Verbs, rule.APIGroups, rule.Resources, rule.ResourceNames} {
					if slices.Contains(field, "*") {
						t.Errorf("rbac.yaml: %s %s rule %d has a wildcard: %+v", o.GetKind(), o.GetName(), i, rule)
					}
				}
				if len(rule.NonResourceURLs) > 0 {
					t.Errorf("rbac.yaml: %s %s rule %d grants non-resource URLs %v", o.GetKind(), o.GetName(), i, rule.NonResourceURLs)
				}
			}
			ours = append(ours, expand(o.GetNamespace(), r.Rules)...)
			roles = append(roles, o.GetKind()+" "+o.GetName())
		case "ClusterRoleBinding", "RoleBinding":
			var b rbacv1.RoleBinding
			if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(o.Object, &b, true); err != nil {
				t.Fatalf("rbac.yaml: %s %s: %v", o.GetKind(), o.GetName(), err)
			}
			want := []rbacv1.Subject{{Kind: "ServiceAccount", Name: "spillway-scheduler", Namespace: "kube-system"}}
			if diff := cmp.Diff(want, b.Subjects); diff != "" {
				t.Errorf("rbac.yaml: %s %s binds other subjects (-want +got):\n%s", o.GetKind(), o.GetName(), diff)
			}
			bindings = append(bindings, b.RoleRef.Kind+" "+b.RoleRef.Name)
		}
	}
	sort.Strings(roles)
	sort.Strings(bindings)
	if diff := cmp.Diff(roles, bindings); diff != "" {
		t.Errorf("rbac.yaml: roles and the roles bound differ (-roles +bound):\n%s", diff)
	}

	for _, p := range ours {
		if !coveredBy(p, theirs) && !slices.Contains(spillwayExtras, p) {
			t.Errorf("rbac.yaml grants %s: kube-scheduler has no such permission and it is not a documented extra", p)
		}
		if p.group == "coordination.k8s.io" && p.scope != "kube-system" {
			t.Errorf("rbac.yaml grants %s: lease permissions belong in kube-system only", p)
		}
		if p.resource == "leases" && p.verb != "create" && p.name != "spillway-scheduler" {
			t.Errorf("rbac.yaml grants %s: beyond Spillway's own lease", p)
		}
	}
	for _, p := range theirs {
		narrowed := p
		if p.group == "coordination.k8s.io" {
			narrowed.scope = "kube-system" // Spillway keeps its leases in kube-system
		}
		if _, ok := kubeSchedulerOmitted[p]; !ok && !coveredBy(narrowed, ours) {
			t.Errorf("rbac.yaml lacks kube-scheduler's %s (if the scheduler does not need it, list it in kubeSchedulerOmitted with why)", p)
		}
	}
}

// TestDeploymentSecurity checks what manifests/deployment.yaml promises: a
// non-root user, a read-only root filesystem, no privilege escalation, no
// capabilities, the RuntimeDefault seccomp profile, nothing of the host's,
// and two replicas, which only leader election makes safe.
func TestDeploymentSecurity(t *testing.T) {
	root, err := findModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "manifests", "deployment.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var d appsv1.Deployment
	if err := yaml.UnmarshalStrict(data, &d); err != nil {
		t.Fatalf("deployment.yaml: %v", err)
	}
	spec := d.Spec.Template.Spec
	check := func(ok bool, field, want string) {
		t.Helper()
		if !ok {
			t.Errorf("deployment.yaml: %s: want %s", field, want)
		}
	}
	psc := spec.SecurityContext
	check(psc != nil && psc.RunAsNonRoot != nil && *psc.RunAsNonRoot, "spec.template.spec.securityContext.runAsNonRoot", "true")
	check(psc != nil && psc.RunAsUser != nil && *psc.RunAsUser != 0, "spec.template.spec.securityContext.runAsUser", "a non-zero uid")
	check(psc != nil && psc.SeccompProfile != nil && psc.SeccompProfile.Type == v1.SeccompProfileTypeRuntimeDefault,
		"spec.template.spec.securityContext.seccompProfile.type", "RuntimeDefault")
	check(!spec.HostNetwork && !spec.HostPID && !spec.HostIPC, "spec.template.spec.hostNetwork/hostPID/hostIPC", "false")
	for _, v := range spec.Volumes {
		check(v.HostPath == nil, "spec.template.spec.volumes["+v.Name+"].hostPath", "none")
	}
	containers := append(slices.Clone(spec.InitContainers), spec.Containers...)
	check(len(containers) > 0, "spec.template.spec.containers", "at least one")
	for _, c := range containers {
		f := "spec.template.spec.containers[" + c.Name + "].securityContext"
		sc := c.SecurityContext
		if sc == nil {
			t.Errorf("deployment.yaml: %s: missing", f)
			continue
		}
		check(sc.ReadOnlyRootFilesystem != nil && *sc.ReadOnlyRootFilesystem, f+".readOnlyRootFilesystem", "true")
		check(sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation, f+".allowPrivilegeEscalation", "false")
		check(sc.Privileged == nil || !*sc.Privileged, f+".privileged", "false")
		check(sc.RunAsUser == nil || *sc.RunAsUser != 0, f+".runAsUser", "not 0")
		check(sc.Capabilities != nil && slices.Contains(sc.Capabilities.Drop, "ALL") && len(sc.Capabilities.Add) == 0,
			f+".capabilities", `drop ["ALL"], add none`)
		for _, p := range c.Ports {
			check(p.HostPort == 0, "spec.template.spec.containers["+c.Name+"].ports.hostPort", "none")
		}
	}
	check(d.Spec.Replicas != nil && *d.Spec.Replicas >= 2, "spec.replicas", "at least 2 (one leads, one waits)")

	cfg, err := os.ReadFile(filepath.Join(root, "manifests", "scheduler-config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var sc struct {
		LeaderElection struct {
			LeaderElect       *bool  `json:"leaderElect"`
			ResourceNamespace string `json:"resourceNamespace"`
			ResourceName      string `json:"resourceName"`
		} `json:"leaderElection"`
	}
	if err := yaml.Unmarshal(cfg, &sc); err != nil {
		t.Fatal(err)
	}
	le := sc.LeaderElection
	check(le.LeaderElect != nil && *le.LeaderElect, "scheduler-config.yaml: leaderElection.leaderElect", "true, with two replicas")
	check(le.ResourceNamespace == "kube-system" && le.ResourceName == "spillway-scheduler",
		"scheduler-config.yaml: leaderElection.resourceNamespace/resourceName", "kube-system/spillway-scheduler, the lease rbac.yaml lets it renew")
}
