package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"
)

// jobFlags are tune's --emit-job flags.
type jobFlags struct {
	path        string
	name        string
	image       string
	parallelism int32
	claim       string
	cpu         string
}

// jobMount is where the Job's pods mount the volume with the inputs and
// the results.
const jobMount = "/work"

func (j *jobFlags) add(fs *pflag.FlagSet) {
	fs.StringVar(&j.path, "emit-job", "", "write a Kubernetes Indexed Job that runs the samples as --shard-count shards, instead of running them")
	fs.StringVar(&j.name, "job-name", "spillway-tune", "the Job's name")
	fs.StringVar(&j.image, "job-image", "", "container image with the spillway binary (required with --emit-job)")
	fs.Int32Var(&j.parallelism, "job-parallelism", 0, "pods at once (default: --shard-count)")
	fs.StringVar(&j.claim, "job-volume-claim", "spillway-tune", "PersistentVolumeClaim (ReadWriteMany) mounted at "+jobMount+": holds the inputs at the paths given here, relative to it, and receives --out")
	fs.StringVar(&j.cpu, "job-cpu", "1", "CPU request of each pod")
}

// write writes the Job: each pod runs this command line with its shard,
// the paths relative to the volume.
func (j *jobFlags) write(cmd *cobra.Command, t *tuneFlags, count int) error {
	if j.image == "" {
		return fmt.Errorf("--emit-job needs --job-image")
	}
	if count < 1 {
		return fmt.Errorf("--emit-job needs --shard-count >= 1 (the Job's completions)")
	}
	if t.traceFile == "" || t.out == "" {
		return fmt.Errorf("--trace and --out are required")
	}
	if errs := validation.IsDNS1123Subdomain(j.name); len(errs) > 0 {
		return fmt.Errorf("--job-name %q: %s", j.name, strings.Join(errs, "; "))
	}
	cpu, err := resource.ParseQuantity(j.cpu)
	if err != nil {
		return fmt.Errorf("--job-cpu: %w", err)
	}
	paths := map[string]bool{"trace": true, "out": true, "spec": true, "cluster": true, "profile": true, "price-catalog": true, "backend-catalog": true}
	skip := map[string]bool{"shard-index": true, "shard-count": true, "no-progress": true}
	args := []string{"tune"}
	var badPath error
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if skip[f.Name] || strings.HasPrefix(f.Name, "job-") || f.Name == "emit-job" {
			return
		}
		v := f.Value.String()
		if i := strings.IndexFunc(v, unicode.IsControl); i >= 0 && badPath == nil {
			// It would end up in the Job's YAML and in the merge command of
			// its header comment, where a newline breaks both.
			badPath = fmt.Errorf("--%s %q: a control character (%q at byte %d) cannot go into the Job", f.Name, v, v[i:i+1], i)
			return
		}
		if paths[f.Name] {
			if filepath.IsAbs(v) || strings.HasPrefix(filepath.Clean(v), "..") {
				badPath = fmt.Errorf("--%s %s: with --emit-job, give paths relative to the volume's root", f.Name, v)
			}
			v = jobMount + "/" + filepath.ToSlash(filepath.Clean(v))
		}
		args = append(args, "--"+f.Name+"="+v)
	})
	if badPath != nil {
		return badPath
	}
	sort.Strings(args[1:])
	args = append(args, fmt.Sprintf("--shard-count=%d", count), "--no-progress")
	par := j.parallelism
	if par <= 0 {
		par = int32(count)
	}
	job := batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: metav1.ObjectMeta{Name: j.name, Labels: map[string]string{"app.kubernetes.io/name": "spillway-tune"}},
		Spec: batchv1.JobSpec{
			CompletionMode: ptr.To(batchv1.IndexedCompletion),
			Completions:    ptr.To(int32(count)),
			Parallelism:    ptr.To(par),
			BackoffLimit:   ptr.To(int32(count)),
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app.kubernetes.io/name": "spillway-tune"}},
				Spec: corev1.PodSpec{
					RestartPolicy: corev1.RestartPolicyNever,
					Containers: []corev1.Container{{
						Name: "tune", Image: j.image, Command: []string{"spillway"}, Args: args,
						Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
							corev1.ResourceCPU: cpu, corev1.ResourceMemory: resource.MustParse("512Mi")}},
						VolumeMounts: []corev1.VolumeMount{{Name: "work", MountPath: jobMount}},
					}},
					Volumes: []corev1.Volume{{Name: "work", VolumeSource: corev1.VolumeSource{
						PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: j.claim}}}},
				},
			},
		},
	}
	data, err := yaml.Marshal(&job)
	if err != nil {
		return err
	}
	for _, v := range []string{j.image, j.claim, j.path} {
		if i := strings.IndexFunc(v, unicode.IsControl); i >= 0 {
			return fmt.Errorf("--emit-job, --job-image, --job-volume-claim %q: a control character (%q at byte %d) cannot go into the Job", v, v[i:i+1], i)
		}
	}
	head := fmt.Sprintf("# spillway tune as an Indexed Job: pod I runs shard I of %d into %s/%s;\n# then: spillway tune merge --shards %s %s\n",
		count, jobMount, filepath.ToSlash(filepath.Clean(t.out)), t.out, strings.Join(mergeArgs(args[1:]), " "))
	// What is written must read back as the Job it was made from.
	var back batchv1.Job
	if err := yaml.UnmarshalStrict(append([]byte(head), data...), &back); err != nil {
		return fmt.Errorf("--emit-job: the Job does not read back as YAML (a flag value it cannot hold?): %w", err)
	}
	if err := os.WriteFile(j.path, append([]byte(head), data...), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "Wrote %s: %d completions, %d at once, image %s.\n", j.path, count, par, j.image)
	return nil
}

// mergeArgs are the Job's flags as the merge on the user's machine takes
// them: the same paths, relative again, without the shard flags.
func mergeArgs(args []string) []string {
	var out []string
	for _, a := range args {
		if strings.HasPrefix(a, "--shard-count") || a == "--no-progress" {
			continue
		}
		out = append(out, strings.Replace(a, "="+jobMount+"/", "=", 1))
	}
	return out
}
