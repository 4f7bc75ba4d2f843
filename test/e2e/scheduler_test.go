package e2e

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/yaml"
)

// withKubeconfig returns a KubeSchedulerConfiguration with
// clientConnection.kubeconfig set: kube-scheduler ignores its --kubeconfig
// flag when --config is given.
func withKubeconfig(config []byte, kubeconfig string) ([]byte, error) {
	var m map[string]any
	if err := yaml.Unmarshal(config, &m); err != nil {
		return nil, err
	}
	if m["kind"] != "KubeSchedulerConfiguration" {
		return nil, fmt.Errorf("not a KubeSchedulerConfiguration (kind %v)", m["kind"])
	}
	cc, _ := m["clientConnection"].(map[string]any)
	if cc == nil {
		cc = map[string]any{}
	}
	cc["kubeconfig"] = kubeconfig
	m["clientConnection"] = cc
	return yaml.Marshal(m)
}

// writeConfig writes a scheduler configuration that reaches the API server
// through kubeconfig.
func writeConfig(t testing.TB, config []byte, kubeconfig string) string {
	t.Helper()
	data, err := withKubeconfig(config, kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "scheduler-config.yaml")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// schedulerProcess is a running spillway-scheduler.
type schedulerProcess struct {
	cmd     *exec.Cmd
	logFile string
	port    int
	exited  chan struct{}
	waitErr error
}

// startScheduler runs the built binary with a configuration and a
// kubeconfig until the test ends, and waits until it is ready (/readyz on
// its secure port) and leads (holds the lease named in the configuration).
// Its log (-v=4) is kept in a file whose tail is shown if the test fails.
// Extra flags in args come last (a later -v overrides -v=4).
func startScheduler(ctx context.Context, t testing.TB, e *env, config []byte, kubeconfig string, args ...string) *schedulerProcess {
	t.Helper()
	return launchScheduler(ctx, t, e, config, kubeconfig, schedulerOptions{args: args})
}

// schedulerOptions change how launchScheduler runs the binary.
type schedulerOptions struct {
	// standby: wait only until the process is ready, not until some holder
	// holds the lease (another replica leads, or a killed one still holds
	// it until it expires).
	standby bool
	// args are extra flags, after the harness's own.
	args []string
}

// launchScheduler is startScheduler with options.
func launchScheduler(ctx context.Context, t testing.TB, e *env, config []byte, kubeconfig string, opts schedulerOptions) *schedulerProcess {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	p := &schedulerProcess{logFile: filepath.Join(t.TempDir(), "spillway-scheduler.log"), port: port, exited: make(chan struct{})}
	out, err := os.Create(p.logFile)
	if err != nil {
		t.Fatal(err)
	}
	p.cmd = exec.Command(e.bin,
		"--config="+writeConfig(t, config, kubeconfig),
		// Delegated authentication and authorization of the secure port
		// with the same identity, as in a cluster (there: in-cluster config).
		"--authentication-kubeconfig="+kubeconfig,
		"--authorization-kubeconfig="+kubeconfig,
		"--bind-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", port),
		"-v=4",
	)
	p.cmd.Args = append(p.cmd.Args, opts.args...)
	p.cmd.Stdout, p.cmd.Stderr = out, out
	// The Deployment's root filesystem is read-only: the process runs in
	// an empty directory, with HOME and TMPDIR empty too, which must stay
	// empty.
	scratch := t.TempDir()
	for _, d := range []string{"cwd", "home", "tmp"} {
		if err := os.Mkdir(filepath.Join(scratch, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	p.cmd.Dir = filepath.Join(scratch, "cwd")
	p.cmd.Env = append(os.Environ(), "HOME="+filepath.Join(scratch, "home"), "TMPDIR="+filepath.Join(scratch, "tmp"))
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.waitErr = p.cmd.Wait()
		_ = out.Close()
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.stop()
		if written := filesUnder(scratch); len(written) > 0 {
			t.Errorf("spillway-scheduler wrote %v: a read-only root filesystem (deployment.yaml) would refuse it", written)
		}
		if t.Failed() {
			showTail(t, "spillway-scheduler", p.logFile, 60)
		}
	})

	start := time.Now()
	if err := p.waitReady(ctx); err != nil {
		forbidden := p.logLines("forbidden")
		if len(forbidden) > 5 {
			forbidden = forbidden[:5]
		}
		t.Fatalf("spillway-scheduler did not get ready: %v\nrefusals by the API server in its log (is a rule missing from manifests/rbac.yaml?):\n%s",
			err, strings.Join(forbidden, "\n"))
	}
	if opts.standby {
		t.Logf("spillway-scheduler ready in %v (port %d, pid %d)", time.Since(start).Round(time.Millisecond), port, p.cmd.Process.Pid)
		return p
	}
	if err := p.waitLeader(ctx, e.api, "kube-system", "spillway-scheduler"); err != nil {
		t.Fatalf("spillway-scheduler did not take the lead: %v", err)
	}
	t.Logf("spillway-scheduler ready and leading in %v (port %d)", time.Since(start).Round(time.Millisecond), port)
	return p
}

// kill kills the process with SIGKILL, as a crash or an OOM kill would:
// it releases nothing (its lease stays held until it expires).
func (p *schedulerProcess) kill() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Kill()
	<-p.exited
}

// stop terminates the process, as the kubelet would, then kills it.
func (p *schedulerProcess) stop() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// alive returns an error if the process has exited.
func (p *schedulerProcess) alive() error {
	select {
	case <-p.exited:
		return fmt.Errorf("spillway-scheduler exited: %v", p.waitErr)
	default:
		return nil
	}
}

// waitReady polls /readyz and checks /livez on the secure port, without
// credentials, as the kubelet probes of manifests/deployment.yaml do.
func (p *schedulerProcess) waitReady(ctx context.Context) error {
	client := &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}, // self-signed, as in the Deployment
	}
	get := func(path string) (int, string, error) {
		resp, err := client.Get(fmt.Sprintf("https://127.0.0.1:%d%s", p.port, path))
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body), err
	}
	var last string
	err := wait.PollUntilContextTimeout(ctx, pollInterval, pollTimeout, true, func(context.Context) (bool, error) {
		if err := p.alive(); err != nil {
			return false, err
		}
		code, body, err := get("/readyz")
		if err != nil {
			last = err.Error()
			return false, nil
		}
		last = fmt.Sprintf("/readyz: %d %s", code, body)
		return code == http.StatusOK, nil
	})
	if err != nil {
		return fmt.Errorf("%w (last: %s)", err, last)
	}
	if code, body, err := get("/livez"); err != nil || code != http.StatusOK {
		return fmt.Errorf("/livez: %d %q %v", code, body, err)
	}
	return nil
}

// waitLeader waits until some holder holds the lease.
func (p *schedulerProcess) waitLeader(ctx context.Context, api *apiServer, namespace, name string) error {
	return wait.PollUntilContextTimeout(ctx, pollInterval, pollTimeout, true, func(ctx context.Context) (bool, error) {
		if err := p.alive(); err != nil {
			return false, err
		}
		lease, err := api.client.CoordinationV1().Leases(namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		return lease.Spec.HolderIdentity != nil && *lease.Spec.HolderIdentity != "", nil
	})
}

// logLines returns the lines of the process's log that contain substr.
func (p *schedulerProcess) logLines(substr string) []string {
	data, err := os.ReadFile(p.logFile)
	if err != nil {
		return []string{err.Error()}
	}
	var lines []string
	for _, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, substr) {
			lines = append(lines, l)
		}
	}
	return lines
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// filesUnder lists the files (not directories) under dir.
func filesUnder(dir string) []string {
	var files []string
	_ = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, path)
		}
		return nil
	})
	return files
}

// schedulerToken applies manifests/rbac.yaml, waits until the API server
// authorizes its ServiceAccount (reading Jobs, updating its own lease) and
// returns that ServiceAccount's token, so that the scheduler runs with
// exactly the permissions of the manifests.
func schedulerToken(ctx context.Context, t testing.TB, e *env, api *apiServer) string {
	t.Helper()
	api.applyFile(ctx, t, filepath.Join(e.root, "manifests", "rbac.yaml"), false)
	if t.Failed() {
		t.FailNow()
	}
	waitAuthorized(ctx, t, api, "system:serviceaccount:kube-system:spillway-scheduler",
		authorizationv1.ResourceAttributes{Verb: "list", Group: "batch", Resource: "jobs"},
		authorizationv1.ResourceAttributes{Namespace: "kube-system", Verb: "update", Group: "coordination.k8s.io", Resource: "leases", Name: "spillway-scheduler"},
	)
	return api.serviceAccountToken(ctx, t, "kube-system", "spillway-scheduler")
}
