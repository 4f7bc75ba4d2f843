package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/apiserver/pkg/storage/etcd3/testserver"
	"k8s.io/apiserver/pkg/storage/storagebackend"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	restclient "k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/ptr"

	kubeapiservertesting "k8s.io/kubernetes/cmd/kube-apiserver/app/testing"
)

// apiServer is a kube-apiserver on loopback with its own embedded etcd.
type apiServer struct {
	// config is the server's loopback client configuration (a superuser).
	config  *restclient.Config
	client  kubernetes.Interface
	dynamic dynamic.Interface
	mapper  *restmapper.DeferredDiscoveryRESTMapper
}

// startAPIServer starts etcd and kube-apiserver in this process; ptb stops
// them. Nodes need no kubelet to be scheduled to, but no controller undoes
// what the TaintNodesByCondition and ServiceAccount admission plugins add, so
// both are off. Authorization is RBAC, so that the scheduler can run with
// the permissions of manifests/rbac.yaml.
func startAPIServer(ptb *packageTB) (api *apiServer, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(errFatal)
			if !ok {
				panic(r)
			}
			err = fmt.Errorf("starting etcd and kube-apiserver: %s (log: %s)", f.msg, ptb.file)
		}
	}()
	etcd := testserver.RunEtcd(ptb, testserver.NewTestConfig(ptb))
	storage := storagebackend.NewDefaultConfig("/spillway-e2e/registry", nil)
	storage.Transport.ServerList = etcd.Endpoints()
	srv := kubeapiservertesting.StartTestServerOrDie(ptb, nil, []string{
		"--disable-admission-plugins=ServiceAccount,TaintNodesByCondition",
		"--authorization-mode=RBAC",
	}, storage)
	ptb.Cleanup(srv.TearDownFn)

	cfg := restclient.CopyConfig(srv.ClientConfig)
	cfg.QPS, cfg.Burst = 200, 400 // the default 5 QPS slows the tests down
	api = &apiServer{config: cfg}
	if api.client, err = kubernetes.NewForConfig(cfg); err != nil {
		return nil, err
	}
	if api.dynamic, err = dynamic.NewForConfig(cfg); err != nil {
		return nil, err
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}
	api.mapper = restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))
	return api, nil
}

// writeKubeconfig writes a kubeconfig with which a subprocess reaches the
// server as the holder of token. The server's loopback certificate is
// issued for the name apiserver-loopback-client, not for 127.0.0.1.
func (a *apiServer) writeKubeconfig(t testing.TB, token string) string {
	t.Helper()
	kc := clientcmdapi.NewConfig()
	kc.Clusters["e2e"] = &clientcmdapi.Cluster{
		Server:                   a.config.Host,
		CertificateAuthorityData: a.config.CAData,
		TLSServerName:            "apiserver-loopback-client",
	}
	kc.AuthInfos["e2e"] = &clientcmdapi.AuthInfo{Token: token}
	kc.Contexts["e2e"] = &clientcmdapi.Context{Cluster: "e2e", AuthInfo: "e2e"}
	kc.CurrentContext = "e2e"
	file := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*kc, file); err != nil {
		t.Fatal(err)
	}
	return file
}

// serviceAccountToken returns a token of a ServiceAccount (which must exist),
// valid for an hour.
func (a *apiServer) serviceAccountToken(ctx context.Context, t testing.TB, namespace, name string) string {
	t.Helper()
	tr, err := a.client.CoreV1().ServiceAccounts(namespace).CreateToken(ctx, name, &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3600)},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("a token for ServiceAccount %s/%s: %v", namespace, name, err)
	}
	return tr.Status.Token
}

// readObjects reads every object of a multi-document YAML file.
func readObjects(file string) ([]*unstructured.Unstructured, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var objs []*unstructured.Unstructured
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); errors.Is(err, io.EOF) {
			return objs, nil
		} else if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		if len(u.Object) > 0 {
			objs = append(objs, u)
		}
	}
}

// apply applies obj with server-side apply, as `kubectl apply --server-side`
// does; with dryRun the server validates and admits it without storing it.
func (a *apiServer) apply(ctx context.Context, obj *unstructured.Unstructured, dryRun bool) error {
	gvk := obj.GroupVersionKind()
	m, err := a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		a.mapper.Reset() // a type registered since the last discovery
		if m, err = a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version); err != nil {
			return err
		}
	}
	var ri dynamic.ResourceInterface = a.dynamic.Resource(m.Resource)
	if m.Scope.Name() == "namespace" {
		ns := obj.GetNamespace()
		if ns == "" {
			ns = metav1.NamespaceDefault
		}
		ri = a.dynamic.Resource(m.Resource).Namespace(ns)
	}
	opts := metav1.ApplyOptions{FieldManager: "spillway-e2e", Force: true}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	_, err = ri.Apply(ctx, obj.GetName(), obj, opts)
	return err
}

// applyFile applies every object of a manifest file.
func (a *apiServer) applyFile(ctx context.Context, t testing.TB, file string, dryRun bool) {
	t.Helper()
	objs, err := readObjects(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, obj := range objs {
		if err := a.apply(ctx, obj, dryRun); err != nil {
			t.Errorf("%s: %s %s does not apply (dry run %v): %v", filepath.Base(file), obj.GetKind(), obj.GetName(), dryRun, err)
		}
	}
}

// pollInterval and pollTimeout bound every wait on the API server.
const (
	pollInterval = 200 * time.Millisecond
	pollTimeout  = 60 * time.Second
)
