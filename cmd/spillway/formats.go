package main

import "github.com/spf13/cobra"

// formatsHelp is 'spillway help formats'.
const formatsHelp = `Every file spillway reads or writes.

TRACE (native; simulate --trace, whatif --trace, written by import)
  JSON Lines, one event per line, times in seconds from the start, never
  decreasing; blank lines and lines starting with # are skipped. Decoding
  is strict: an unknown or duplicate field is an error naming file:line.
  Bounds, each refused at its line: at and runFor 0..2678400 (31 days;
  --until at most 744h), replicas 0..100000; names are DNS-1123 subdomains
  and namespaces DNS-1123 labels, as the API server wants them; requests
  and limits are >= 0, requests <= limits, cpu <= 10k, memory and
  ephemeral-storage <= 16Ti, others <= 1Pi.

  {"at": 0, "op": "create", "pod": POD, "runFor": 90}
      adds a pod (a full Pod manifest: tolerations, volumes, owner
      references... all reach the plugins); runFor, optional, is how long it
      runs once started; without it, it runs until deleted or the end
  {"at": 30, "op": "delete", "name": "NAMESPACE/NAME"}
      deletes a pod; a workload's controller replaces it
  {"at": 60, "op": "scale", "workload": "NAMESPACE/NAME", "kind": KIND,
   "replicas": N, "template": POD, "runFor": S}
      KIND is Deployment, StatefulSet or Job. The template is required the
      first time a workload appears. Scaling down removes replicas as the
      controller would: unscheduled first, then not yet running, then the
      newest (a StatefulSet: the highest ordinal). A Job runs "replicas"
      pods to completion, each for runFor seconds (required for Jobs,
      refused for the others).

  Example:
    {"at":0,"op":"scale","workload":"shop/web","kind":"Deployment","replicas":3,"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"web:1","resources":{"requests":{"cpu":"500m","memory":"1Gi"}}}],"tolerations":[{"key":"virtual-kubelet.io/provider","operator":"Exists"}]}}}
    {"at":600,"op":"scale","workload":"shop/web","kind":"Deployment","replicas":12}
    {"at":900,"op":"create","pod":{"metadata":{"name":"report","namespace":"shop"},"spec":{"containers":[{"name":"r","image":"r:1","resources":{"requests":{"cpu":"1","memory":"2Gi"}}}]}},"runFor":300}

CLUSTER (--cluster; default: 1 control plane + 3 m5.xlarge workers + ACI)
  apiVersion: spillway.dev/v1alpha1
  kind: SimulatedCluster
  pricing: OnDemand                 # OnDemand, Reserved or Spot
  nodeGroups:
  - name: control-plane             # one node: "control-plane"
    instanceType: m5.xlarge         # from the price catalog
    count: 1
    labels: {node-role.kubernetes.io/control-plane: ""}
    taints: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]
  - name: worker                    # worker-1, worker-2, worker-3
    instanceType: m5.xlarge
    count: 3
    allocatable: {cpu: 3920m, memory: 15Gi, pods: "110"}  # default: the instance size; at most 100k, 1Pi, 1M
  virtualNodes:
  - name: virtual-node-aci-linux
    backend: aci                    # from the backend catalog: aci, fargate, ...
    startupSeconds: {p50: 25, p95: 60}   # cold start, p95 <= 3600; default: the catalog's

  A group has 1..10000 nodes, a cluster at most 20000 in all (dedicated and
  virtual; simulating 20000 took 91 s and 350 MB for a 2-hour trace of 10
  functions): a file asking for more is refused before anything is built.
  Every VM is billed for the whole simulated span. Labels and taints of a
  virtual node default to what its backend's detection rules recognise; the
  node enforces the backend's size limits, CPU quota and refused features.

PROFILE (--profile; default: manifests/scheduler-config.yaml)
  A KubeSchedulerConfiguration, decoded, defaulted and validated as
  kube-scheduler does; --scheduler-name picks the profile that schedules
  every pod of the trace, whatever the pod's spec.schedulerName.

SCENARIOS (whatif --scenarios)
  apiVersion: spillway.dev/v1alpha1
  kind: WhatIf
  scenarios:
  - name: bigger-workers            # a DNS-1123 label: DIR/<name>/ holds its outputs
    description: three m5.2xlarge workers
    cluster: bigger.yaml            # relative to this file; default: --cluster
    profile: my-config.yaml         # default: --profile
    schedulerName: spillway         # default: spillway
    sizeForPeak: false              # true: as many workers as the peak needs

PRICE CATALOG (--price-catalog; written by prices refresh --out)
  The format of cost/catalog.yaml (cost/README.md): apiVersion
  spillway.dev/v1alpha1, kind PriceCatalog, updated YYYY-MM-DD, serverless
  prices with their billing rules, dedicated instance types' hourly prices
  and fallback rates, each with its sources. 'spillway prices refresh'
  writes one dated from the AWS and Azure public price lists; its sources
  say which prices were fetched and which were kept from the base catalog.

OUTPUTS (simulate --out DIR; whatif writes one DIR/<scenario>/ each)
  summary.json     cost.total_usd, cost.dedicated_usd (every VM x span),
                   cost.serverless_usd (each pod's bill: shape rounding,
                   minimum, granularity; from binding to its end),
                   pods.total = dedicated + serverless + unscheduled,
                   start_latency_s.p50/p95/p99/max/mean (creation to running,
                   pending time and cold start included; 3 significant
                   digits), sim.simulated_s (0 to the last event or
                   completion, or --until), sim.wall_s, sim.pods_per_s (the
                   only fields that vary between identical runs),
                   sim.backend_refusals, sim.peak_demand_*.
  timeseries.csv   one row per simulated minute: minute, end_s, seconds,
                   dedicated_usd, serverless_usd, cumulative_usd,
                   cost_rate_usd_per_h, vm_cpu_util, vm_mem_util (requested
                   / allocatable of the workers, at the row's end),
                   pods_dedicated, pods_<backend>..., pending.
  decisions.jsonl  (--decisions) one line per scheduling attempt: at, pod,
                   attempt, node (empty if it failed), reasons, and each
                   feasible node's total and per-plugin weighted scores.
  report.html      (whatif) self-contained, with charts; report.md alike.
  DIR/summary.json (whatif) verdict; objectives (p99_start_latency_s, 0:
                   none; max_unscheduled, negative: the fewest any scenario
                   leaves plus 1% of the pods); bound (the fluid-oracle lower bound:
                   total_usd, dedicated_usd, serverless_usd, span_s, pods,
                   pods_nowhere, peak_cpu_milli, peak_mem_bytes); reference
                   (name, total_usd: min(bound, serverless-only)); scenarios
                   (name, vs_bound = total / reference, cost, pods,
                   start_latency_s, missed: the objectives it misses), in
                   the report's order.

  Every --out is written whole or not at all: a failed or interrupted run
  (SIGINT, SIGTERM: exit 130) leaves DIR as it was; DIR/.spillway.lock
  refuses a second run into DIR while one writes; the files of the
  previous run that this one does not write (DIR/.spillway-manifest lists
  them) are removed, nothing else. import --out FILE is replaced only on
  success (a symlink's target; a FIFO or device is written to, never
  removed).`

func newFormatsTopic() *cobra.Command {
	return &cobra.Command{Use: "formats", Short: "The trace, cluster, scenarios and output formats", Long: formatsHelp}
}
