package renderdiff

import (
	"fmt"
	"sort"
	"strings"
)

// Label and annotation keys the summaries read. They are the rendered
// contract (pkg/api/v1alpha1) and the GitOps engines' annotations; the
// strings are repeated here to keep this package free of the API types.
const (
	labelComponent   = "app.kubernetes.io/component"
	componentBroker  = "broker"
	argoSyncOptions  = "argocd.argoproj.io/sync-options"
	fluxPrune        = "kustomize.toolkit.fluxcd.io/prune"
	maxSummaryFields = 5
)

var workloadKinds = map[string]bool{"StatefulSet": true, "Deployment": true}

// summarize turns one object change into the sentences a reviewer needs.
func summarize(c ObjectChange) []string {
	if isMetadataKind(c.ID.Kind) {
		var out []string
		for _, m := range metadataSummary(c) {
			out = append(out, m.sentence())
		}
		if c.Action == Changed {
			out = append(out, safetySummary(c)...)
		}
		return out
	}
	switch c.Action {
	case Added, Removed:
		return addRemoveSummary(c)
	}
	var out []string
	switch {
	case c.ID.Kind == "RocketMQCluster":
		out = clusterSpecSummary(c)
	case workloadKinds[c.ID.Kind]:
		out = workloadSummary(c)
	case c.ID.Kind == "ConfigMap":
		out = configMapSummary(c)
	case c.ID.Kind == "Service":
		out = fieldSummary(c, "spec.type", "type")
	}
	return append(out, safetySummary(c)...)
}

// subject names an object the way a RocketMQ operator thinks of it.
func subject(c ObjectChange) string {
	obj := c.New
	if obj == nil {
		obj = c.Old
	}
	component, _ := labels(obj)[labelComponent].(string)
	switch {
	case c.ID.Kind == "RocketMQCluster":
		return "cluster " + c.ID.Name
	case c.ID.Kind == "StatefulSet" && component == componentBroker:
		return "broker group " + c.ID.Name
	case component != "" && !strings.Contains(c.ID.Name, component):
		return component + " " + c.ID.Name
	case component != "":
		return c.ID.Name
	}
	return c.ID.Kind + " " + c.ID.Name
}

func addRemoveSummary(c ObjectChange) []string {
	if c.ID.Kind != "RocketMQCluster" && !workloadKinds[c.ID.Kind] {
		return nil
	}
	if c.Action == Removed && pruneProtected(c.Old) {
		return []string{leftRunning(c)}
	}
	s := subject(c) + " " + string(c.Action)
	if c.Action == Removed && c.ID.Kind == "StatefulSet" {
		s += " (its PersistentVolumeClaims are retained)"
	}
	return []string{s}
}

// pruneProtected reports whether both GitOps engines were told never to
// prune the object: gone from the render, it stays in the cluster.
func pruneProtected(o Object) bool {
	return has(o, argoSyncOptions, "Prune=false") && has(o, fluxPrune, "disabled")
}

// leftRunning words a prune-protected workload that left the render: it
// keeps running, and a broker group is drained by the status controller
// before anyone deletes it.
func leftRunning(c ObjectChange) string {
	if c.ID.Kind == "StatefulSet" && subjectIsBroker(c) {
		return subject(c) + " left running to drain: Argo CD and Flux do not prune it; the status controller wipes its " +
			"write permission and reports it Retiring, then Drained with the command that deletes it (its PersistentVolumeClaims are kept)"
	}
	return subject(c) + " left running: Argo CD and Flux do not prune it; delete it by hand once it is no longer needed"
}

func subjectIsBroker(c ObjectChange) bool {
	component, _ := labels(c.Old)[labelComponent].(string)
	return component == componentBroker
}

func workloadSummary(c ObjectChange) []string {
	out := fieldSummary(c, "spec.replicas", "replicas")
	rolls := false
	for _, f := range c.Fields {
		switch {
		case strings.HasPrefix(f.Path, "spec.template.") && strings.HasSuffix(f.Path, ".image"):
			out = append(out, fmt.Sprintf("%s image %s → %s", subject(c), f.Old, f.New))
			rolls = true
		case strings.HasPrefix(f.Path, "spec.template."):
			rolls = true
		}
	}
	if rolls {
		out = append(out, subject(c)+" pods will roll (pod template changed)")
	}
	if c.ID.Kind == "StatefulSet" && touches(c, "spec.volumeClaimTemplates") {
		out = append(out, "WARNING: "+subject(c)+" volumeClaimTemplates changed; "+
			"the field is immutable, the apply will be rejected until the StatefulSet is recreated")
	}
	return out
}

// fieldSummary reports one exact path as "<subject> <label> old → new".
func fieldSummary(c ObjectChange, path, label string) []string {
	for _, f := range c.Fields {
		if f.Path == path {
			return []string{fmt.Sprintf("%s %s %s → %s", subject(c), label, f.Old, f.New)}
		}
	}
	return nil
}

func touches(c ObjectChange, prefix string) bool {
	for _, f := range c.Fields {
		if f.Path == prefix || strings.HasPrefix(f.Path, prefix+".") || strings.HasPrefix(f.Path, prefix+"[") {
			return true
		}
	}
	return false
}

// clusterSpecSummary lists the spec leaves of the RocketMQCluster itself:
// they are what the author actually edited.
func clusterSpecSummary(c ObjectChange) []string {
	var out []string
	for _, f := range c.Fields {
		if strings.HasPrefix(f.Path, "spec.") {
			out = append(out, fmt.Sprintf("%s %s %s → %s", subject(c), f.Path, f.Old, f.New))
		}
	}
	return capped(out)
}

// configMapSummary reads properties-style data (broker.conf, proxy
// config) key by key.
func configMapSummary(c ObjectChange) []string {
	oldData, _ := lookup(c.Old, "data")
	newData, _ := lookup(c.New, "data")
	om, _ := oldData.(map[string]any)
	nm, _ := newData.(map[string]any)
	var out []string
	for _, file := range unionKeys(om, nm) {
		os, _ := om[file].(string)
		ns, _ := nm[file].(string)
		if os == ns {
			continue
		}
		for _, ch := range propertyChanges(properties(os), properties(ns)) {
			out = append(out, fmt.Sprintf("%s %s: %s", subject(c), file, ch))
		}
	}
	return capped(out)
}

func propertyChanges(a, b map[string]string) []string {
	var out []string
	for _, k := range unionKeys(a, b) {
		av, aok := a[k]
		bv, bok := b[k]
		switch {
		case !aok:
			out = append(out, fmt.Sprintf("%s=%s added", k, bv))
		case !bok:
			out = append(out, fmt.Sprintf("%s=%s removed", k, av))
		case av != bv:
			out = append(out, fmt.Sprintf("%s %s → %s", k, av, bv))
		}
	}
	return out
}

// properties parses key=value lines; other lines are ignored, so a JSON
// or YAML config file simply yields no property summaries.
func properties(text string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok && !strings.ContainsAny(k, " :{\"") {
			m[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return m
}

// safetySummary warns when an object loses the annotations that keep Argo
// CD and Flux from pruning it.
func safetySummary(c ObjectChange) []string {
	var out []string
	if has(c.Old, argoSyncOptions, "Prune=false") && !has(c.New, argoSyncOptions, "Prune=false") {
		out = append(out, "WARNING: "+subject(c)+" no longer carries "+argoSyncOptions+": Prune=false")
	}
	if has(c.Old, fluxPrune, "disabled") && !has(c.New, fluxPrune, "disabled") {
		out = append(out, "WARNING: "+subject(c)+" no longer carries "+fluxPrune+": disabled")
	}
	return out
}

func has(o Object, annotation, want string) bool {
	v, _ := lookup(o, "metadata", "annotations", annotation)
	s, _ := v.(string)
	for _, part := range strings.Split(s, ",") {
		if strings.EqualFold(strings.TrimSpace(part), want) {
			return true
		}
	}
	return false
}

func capped(lines []string) []string {
	if len(lines) <= maxSummaryFields {
		return lines
	}
	rest := len(lines) - maxSummaryFields
	return append(lines[:maxSummaryFields:maxSummaryFields], fmt.Sprintf("… and %d more", rest))
}

func unionKeys[V any](a, b map[string]V) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}
