package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/kubernetes/cmd/kube-scheduler/app"
	"sigs.k8s.io/yaml"

	"github.com/spillway-dev/spillway/plugins"
)

// runMainEnv makes the test binary run main() instead of the tests, so the
// tests can run the real command in a child process: --write-config-to
// ends the process with os.Exit.
const runMainEnv = "SPILLWAY_SCHEDULER_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// runScheduler runs the command with args in dir, outside any cluster: no
// KUBECONFIG, no in-cluster service account, an empty HOME.
func runScheduler(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], args...)
	cmd.Dir = dir
	cmd.Env = []string{runMainEnv + "=1", "HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// TestWriteConfigAsInTheReadme runs the README's command as written, from
// the repository's root, on a machine with no cluster: it must write the
// effective configuration, with only the spillway profile and every
// Spillway arg defaulted.
func TestWriteConfigAsInTheReadme(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.yaml")
	output, err := runScheduler(t, "../..", "--config", "manifests/scheduler-config.yaml", "--write-config-to", out)
	if err != nil {
		t.Fatalf("spillway-scheduler: %v; output:\n%s", err, output)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		ClientConnection struct{ Kubeconfig string } `json:"clientConnection"`
		Profiles         []struct {
			SchedulerName string `json:"schedulerName"`
			PluginConfig  []struct {
				Name string         `json:"name"`
				Args map[string]any `json:"args"`
			} `json:"pluginConfig"`
		} `json:"profiles"`
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatalf("%s: %v", out, err)
	}
	if len(cfg.Profiles) != 1 || cfg.Profiles[0].SchedulerName != "spillway" {
		t.Fatalf("profiles %+v, want only spillway", cfg.Profiles)
	}
	got := map[string]bool{}
	for _, pc := range cfg.Profiles[0].PluginConfig {
		if len(pc.Args) > 0 {
			got[pc.Name] = true
		}
	}
	for _, name := range []string{"ServerlessFit", "BurstCost", "Steadiness", "NodeResourcesFit"} {
		if !got[name] {
			t.Errorf("the effective config has no args for %s:\n%s", name, data)
		}
	}
	if strings.Contains(string(data), offlineMaster) || cfg.ClientConnection.Kubeconfig != "" {
		t.Errorf("the stand-in API server address or a kubeconfig leaked into the written config:\n%s", data)
	}
}

// TestWithoutACluster: what still needs a cluster fails as kube-scheduler
// does, and a kubeconfig that is named but missing is reported by name.
func TestWithoutACluster(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "config.yaml")
	shipped, err := os.ReadFile("../../manifests/scheduler-config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing-kubeconfig")
	withKubeconfig := strings.Replace(string(shipped), "leaderElection:", "clientConnection: {kubeconfig: "+missing+"}\nleaderElection:", 1)
	if err := os.WriteFile(config, []byte(withKubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"running needs a cluster", []string{"--config", "../../manifests/scheduler-config.yaml", "--secure-port=0"}, "no configuration has been provided"},
		{"a named kubeconfig that is missing", []string{"--config", config, "--write-config-to", filepath.Join(dir, "out.yaml")}, missing},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			output, err := runScheduler(t, ".", tc.args...)
			if err == nil {
				t.Fatalf("spillway-scheduler succeeded; output:\n%s", output)
			}
			if !strings.Contains(output, tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, output)
			}
		})
	}
}

// TestOfflineWriteConfigFlags checks which invocations get the stand-in
// master and secure port, on kube-scheduler's own command and flags.
func TestOfflineWriteConfigFlags(t *testing.T) {
	shipped := "../../manifests/scheduler-config.yaml"
	dir := t.TempDir()
	withKubeconfig := filepath.Join(dir, "with-kubeconfig.yaml")
	data, err := os.ReadFile(shipped)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(withKubeconfig, bytes.Replace(data, []byte("leaderElection:"), []byte("clientConnection: {kubeconfig: /etc/kubeconfig}\nleaderElection:"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	type flags struct{ Master, SecurePort string }
	cases := []struct {
		name      string
		args      []string
		inCluster bool
		want      flags
	}{
		{"write-config-to, no cluster", []string{"--config", shipped, "--write-config-to", "out.yaml"}, false, flags{offlineMaster, "0"}},
		{"an explicit secure port is kept", []string{"--config", shipped, "--write-config-to", "out.yaml", "--secure-port", "10300"}, false, flags{offlineMaster, "10300"}},
		{"write-config-to without --config", []string{"--write-config-to", "out.yaml"}, false, flags{offlineMaster, "0"}},
		{"not writing the config", []string{"--config", shipped}, false, flags{"", "10259"}},
		{"a master is given", []string{"--config", shipped, "--write-config-to", "out.yaml", "--master", "https://api:6443"}, false, flags{"https://api:6443", "10259"}},
		{"the file names a kubeconfig", []string{"--config", withKubeconfig, "--write-config-to", "out.yaml"}, false, flags{"", "10259"}},
		{"in a pod", []string{"--config", shipped, "--write-config-to", "out.yaml"}, true, flags{"", "10259"}},
		{"an unreadable file is left to kube-scheduler", []string{"--config", filepath.Join(dir, "none.yaml"), "--write-config-to", "out.yaml"}, false, flags{"", "10259"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cmd := app.NewSchedulerCommand(plugins.SchedulerOptions()...)
			if err := cmd.ParseFlags(tc.args); err != nil {
				t.Fatal(err)
			}
			if err := offlineWriteConfigFlags(cmd, func() bool { return tc.inCluster }); err != nil {
				t.Fatal(err)
			}
			var got flags
			got.Master, _ = cmd.Flags().GetString("master")
			got.SecurePort = cmd.Flags().Lookup("secure-port").Value.String()
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("flags (-want +got):\n%s", diff)
			}
		})
	}
}
