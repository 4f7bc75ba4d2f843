// Package e2e runs the built spillway-scheduler binary against a real
// kube-apiserver (embedded etcd, in this test process, on loopback).
package e2e

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apiserver/pkg/storage/etcd3/testserver"
	"k8s.io/apiserver/pkg/storage/storagebackend"
	"k8s.io/client-go/kubernetes"
	restclient "k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/klog/v2"
	kubeapiservertesting "k8s.io/kubernetes/cmd/kube-apiserver/app/testing"
)

// moduleRoot is the repository root (where go.mod is).
func moduleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// buildScheduler builds cmd/spillway-scheduler into a temp dir.
func buildScheduler(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "spillway-scheduler")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/spillway-scheduler")
	cmd.Dir = moduleRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building spillway-scheduler: %v\n%s", err, out)
	}
	return bin
}

// startAPIServer runs etcd and a real kube-apiserver in this process. Their
// logs go to a file, shown only if the test fails.
func startAPIServer(t *testing.T) *restclient.Config {
	t.Helper()
	logFile := filepath.Join(t.TempDir(), "apiserver.log")
	f, err := os.Create(logFile)
	if err != nil {
		t.Fatal(err)
	}
	klog.LogToStderr(false)
	klog.SetOutput(f)
	t.Cleanup(func() {
		if t.Failed() {
			showTail(t, "kube-apiserver", logFile, 40)
		}
	})
	etcd := testserver.RunEtcd(t, testserver.NewTestConfig(t))
	storage := storagebackend.NewDefaultConfig(path.Join("/", uuid.New().String(), "registry"), nil)
	storage.Transport.ServerList = etcd.Endpoints()
	srv := kubeapiservertesting.StartTestServerOrDie(t, nil, []string{
		"--disable-admission-plugins=ServiceAccount,TaintNodesByCondition",
	}, storage)
	t.Cleanup(srv.TearDownFn)
	return srv.ClientConfig
}

// writeKubeconfig writes a kubeconfig for a subprocess to reach the test
// server with its loopback credentials.
func writeKubeconfig(t *testing.T, cfg *restclient.Config) string {
	t.Helper()
	kc := clientcmdapi.NewConfig()
	kc.Clusters["test"] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData, TLSServerName: "apiserver-loopback-client"}
	kc.AuthInfos["test"] = &clientcmdapi.AuthInfo{Token: cfg.BearerToken}
	kc.Contexts["test"] = &clientcmdapi.Context{Cluster: "test", AuthInfo: "test"}
	kc.CurrentContext = "test"
	file := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*kc, file); err != nil {
		t.Fatal(err)
	}
	return file
}

// withKubeconfig returns a scheduler configuration file's text with
// clientConnection.kubeconfig set: kube-scheduler ignores --kubeconfig when
// --config is given.
func withKubeconfig(t *testing.T, config []byte, kubeconfig string) string {
	t.Helper()
	const kind = "kind: KubeSchedulerConfiguration\n"
	s := string(config)
	if !strings.Contains(s, kind) {
		t.Fatalf("not a KubeSchedulerConfiguration:\n%s", s)
	}
	return strings.Replace(s, kind, kind+"clientConnection:\n  kubeconfig: "+kubeconfig+"\n", 1)
}

// writeConfig writes a scheduler configuration file that uses kubeconfig.
func writeConfig(t *testing.T, config []byte, kubeconfig string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "scheduler-config.yaml")
	if err := os.WriteFile(file, []byte(withKubeconfig(t, config, kubeconfig)), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// schedulerProcess is a running spillway-scheduler.
type schedulerProcess struct {
	exited chan struct{}
}

// startScheduler runs the binary with a config file until the test ends;
// its log is shown if the test fails.
func startScheduler(t *testing.T, bin, config string) *schedulerProcess {
	t.Helper()
	logFile := filepath.Join(t.TempDir(), "scheduler.log")
	out, err := os.Create(logFile)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config="+config, "--secure-port=0", "-v=4")
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &schedulerProcess{exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.exited
		if t.Failed() {
			showTail(t, "spillway-scheduler", logFile, 60)
		}
	})
	return p
}

func showTail(t *testing.T, what, file string, n int) {
	data, err := os.ReadFile(file)
	if err != nil {
		return
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	t.Logf("last %d lines of %s's log:\n%s", len(lines), what, strings.Join(lines, "\n"))
}

// waitScheduled waits until every pod is bound or marked unschedulable and
// returns each pod's node ("" for unschedulable) and PodScheduled message.
func waitScheduled(ctx context.Context, t *testing.T, c kubernetes.Interface, sched *schedulerProcess, pods []*v1.Pod) (nodes, messages []string) {
	t.Helper()
	nodes, messages = make([]string, len(pods)), make([]string, len(pods))
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 60*time.Second, true, func(ctx context.Context) (bool, error) {
		select {
		case <-sched.exited:
			return false, errors.New("spillway-scheduler exited")
		default:
		}
		for i, p := range pods {
			got, err := c.CoreV1().Pods(p.Namespace).Get(ctx, p.Name, metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			nodes[i] = got.Spec.NodeName
			decided := got.Spec.NodeName != ""
			for _, cond := range got.Status.Conditions {
				if cond.Type == v1.PodScheduled && cond.Status == v1.ConditionFalse && cond.Reason == v1.PodReasonUnschedulable {
					decided, messages[i] = true, cond.Message
				}
			}
			if !decided {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		t.Fatalf("waiting for pods to be scheduled: %v (nodes so far %v)", err, nodes)
	}
	return nodes, messages
}

// runScheduler runs the binary to completion and returns its combined
// output and exit error.
func runScheduler(bin string, args ...string) (string, error) {
	var out bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}
