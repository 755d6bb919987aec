package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

var kustomizationFiles = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// skippedDirs are never searched for overlays: test fixtures hold broken
// specs on purpose, and rendered output holds no kustomizations.
var skippedDirs = map[string]bool{"testdata": true, "vendor": true, "node_modules": true, "bin": true}

// discoverOverlays lists, relative to root, every directory whose
// kustomization runs the RocketMQ function directly or through the bases
// and components it includes, and every directory whose kustomization
// lists a file of RocketMQTopic or RocketMQConsumerGroup objects: a team's
// topics need no function, but a pull request that shrinks their queues
// must still fail.
func discoverOverlays(root string) ([]string, error) {
	var found []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if path != root && (strings.HasPrefix(d.Name(), ".") || skippedDirs[d.Name()]) {
			return filepath.SkipDir
		}
		uses, err := usesFunction(path, map[string]bool{})
		if err == nil && !uses {
			uses, err = declaresMetadata(path)
		}
		if err != nil {
			return err
		}
		if uses {
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			found = append(found, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("looking for overlays: %w", err)
	}
	sort.Strings(found)
	return found, nil
}

type kustomization struct {
	Resources    []string `json:"resources"`
	Components   []string `json:"components"`
	Generators   []string `json:"generators"`
	Transformers []string `json:"transformers"`
	Validators   []string `json:"validators"`
}

func readKustomization(dir string) (*kustomization, error) {
	for _, name := range kustomizationFiles {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		var k kustomization
		if err := yaml.Unmarshal(data, &k); err != nil {
			return nil, fmt.Errorf("reading %s: %w", filepath.Join(dir, name), err)
		}
		return &k, nil
	}
	return nil, nil
}

func usesFunction(dir string, seen map[string]bool) (bool, error) {
	if seen[dir] {
		return false, nil
	}
	seen[dir] = true
	k, err := readKustomization(dir)
	if err != nil || k == nil {
		return false, err
	}
	for _, entry := range append(append(append([]string{}, k.Generators...), k.Transformers...), k.Validators...) {
		if uses, err := entryUsesFunction(dir, entry, seen); uses || err != nil {
			return uses, err
		}
	}
	for _, entry := range append(append([]string{}, k.Resources...), k.Components...) {
		if uses, err := dirUsesFunction(dir, entry, seen); uses || err != nil {
			return uses, err
		}
	}
	return false, nil
}

// entryUsesFunction checks a generators/transformers entry: inline YAML,
// a file holding a function config, or a directory of them.
func entryUsesFunction(dir, entry string, seen map[string]bool) (bool, error) {
	if strings.Contains(entry, "\n") {
		return isFunctionConfig(entry), nil
	}
	p := filepath.Join(dir, entry)
	info, err := os.Stat(p)
	if err != nil || remote(entry) {
		return false, nil // remote or missing: kustomize reports it when rendering
	}
	if info.IsDir() {
		return generatorDirUsesFunction(p, seen)
	}
	return fileIsFunctionConfig(p)
}

// generatorDirUsesFunction reads a kustomization listed as a generator or
// transformer: there, its resources are the function configs.
func generatorDirUsesFunction(dir string, seen map[string]bool) (bool, error) {
	k, err := readKustomization(dir)
	if err != nil || k == nil {
		return false, err
	}
	for _, entry := range k.Resources {
		p := filepath.Join(dir, entry)
		if info, err := os.Stat(p); err != nil || info.IsDir() || remote(entry) {
			continue
		}
		if uses, err := fileIsFunctionConfig(p); uses || err != nil {
			return uses, err
		}
	}
	return usesFunction(dir, seen)
}

func fileIsFunctionConfig(p string) (bool, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return false, fmt.Errorf("reading %s: %w", p, err)
	}
	return isFunctionConfig(string(data)), nil
}

// dirUsesFunction follows a resources/components entry into a local base.
func dirUsesFunction(dir, entry string, seen map[string]bool) (bool, error) {
	if remote(entry) {
		return false, nil
	}
	p := filepath.Join(dir, entry)
	if info, err := os.Stat(p); err != nil || !info.IsDir() {
		return false, nil
	}
	return usesFunction(p, seen)
}

func isFunctionConfig(text string) bool {
	return strings.Contains(text, "config.kubernetes.io/function") && strings.Contains(text, "rocketmq.gitops.dev/")
}

func remote(entry string) bool {
	return strings.Contains(entry, "://") || strings.HasPrefix(entry, "github.com/") || strings.HasPrefix(entry, "git@")
}

// declaresMetadata says whether the kustomization in dir lists, among its
// resources, a local file holding RocketMQTopic or RocketMQConsumerGroup
// objects of this API group.
func declaresMetadata(dir string) (bool, error) {
	k, err := readKustomization(dir)
	if err != nil || k == nil {
		return false, err
	}
	for _, entry := range k.Resources {
		p := filepath.Join(dir, entry)
		if info, err := os.Stat(p); err != nil || info.IsDir() || remote(entry) {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return false, fmt.Errorf("reading %s: %w", p, err)
		}
		text := string(data)
		if strings.Contains(text, "rocketmq.gitops.dev/") &&
			(strings.Contains(text, "kind: RocketMQTopic") || strings.Contains(text, "kind: RocketMQConsumerGroup")) {
			return true, nil
		}
	}
	return false, nil
}
