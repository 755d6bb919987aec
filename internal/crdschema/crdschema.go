// Package crdschema turns the CustomResourceDefinitions in config/crd/bases
// into standalone JSON Schemas for editors (yaml-language-server) and
// linters (kubeconform).
//
// One schema is written per served version of each kind, at
// {group}/{kind}_{version}.json with kind and version lowercased: the layout
// of kubeconform's
//
//	-schema-location '{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json'
//
// template. The conversion of a version's openAPIV3Schema:
//
//   - every object schema that lists properties and neither sets
//     additionalProperties nor x-kubernetes-preserve-unknown-fields gets
//     additionalProperties: false, the root included, so an unknown or
//     misspelt field is refused as the API server's strict field validation
//     and krm-fn refuse it (kubeconform's openapi2jsonschema.py does the same
//     below the root);
//   - apiVersion and kind become required single-value enums, so that
//     yaml-language-server can tell the kinds apart and a wrong apiVersion
//     is refused;
//   - metadata gains name, namespace, labels and annotations;
//   - the x-kubernetes-* extensions are kept: JSON Schema validators ignore
//     unknown keywords, and x-kubernetes-int-or-string is always paired with
//     an anyOf of integer and string by controller-gen.
//
// The CEL rules (x-kubernetes-validations) are not checked by JSON Schema
// validators; krm-fn and the API server still check them.
package crdschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
)

// SchemaDialect is the JSON Schema draft the schemas declare: draft-07 is the
// one yaml-language-server and kubeconform both support fully, and the
// keywords a structural CRD schema uses mean the same in it.
const SchemaDialect = "http://json-schema.org/draft-07/schema#"

type crd struct {
	Kind string `json:"kind"`
	Spec struct {
		Group string `json:"group"`
		Names struct {
			Kind string `json:"kind"`
		} `json:"names"`
		Versions []struct {
			Name   string `json:"name"`
			Served bool   `json:"served"`
			Schema struct {
				OpenAPIV3Schema map[string]any `json:"openAPIV3Schema"`
			} `json:"schema"`
		} `json:"versions"`
	} `json:"spec"`
}

// FileName is the path, relative to the schemas directory, of the schema of
// one kind and version (kubeconform's {{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json).
func FileName(group, kind, version string) string {
	return path.Join(group, strings.ToLower(kind)+"_"+strings.ToLower(version)+".json")
}

// Generate reads every *.yaml CRD in crdDir and returns the schema files,
// keyed by FileName, each ending with a newline.
func Generate(crdDir string) (map[string][]byte, error) {
	paths, err := filepath.Glob(filepath.Join(crdDir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	slices.Sort(paths)
	out := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		var c crd
		if err := yaml.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if c.Kind != "CustomResourceDefinition" {
			return nil, fmt.Errorf("%s: kind %q, want CustomResourceDefinition", p, c.Kind)
		}
		for _, v := range c.Spec.Versions {
			if !v.Served {
				continue
			}
			if v.Schema.OpenAPIV3Schema == nil {
				return nil, fmt.Errorf("%s: version %s has no openAPIV3Schema", p, v.Name)
			}
			s := Convert(v.Schema.OpenAPIV3Schema, c.Spec.Group+"/"+v.Name, c.Spec.Names.Kind)
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(s); err != nil {
				return nil, err
			}
			name := FileName(c.Spec.Group, c.Spec.Names.Kind, v.Name)
			if _, dup := out[name]; dup {
				return nil, fmt.Errorf("%s: a second CRD for %s", p, name)
			}
			out[name] = buf.Bytes()
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no CRD with a served version in %s", crdDir)
	}
	return out, nil
}

// Convert returns the JSON Schema of one CRD version from its
// openAPIV3Schema (which it does not modify).
func Convert(openAPI map[string]any, apiVersion, kind string) map[string]any {
	s := deepCopy(openAPI).(map[string]any)
	strict(s)
	props, _ := s["properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
		s["properties"] = props
	}
	props["apiVersion"] = withEnum(props["apiVersion"], apiVersion)
	props["kind"] = withEnum(props["kind"], kind)
	props["metadata"] = metadata(props["metadata"])
	required, _ := s["required"].([]any)
	for _, f := range []string{"apiVersion", "kind"} {
		if !slices.Contains(required, any(f)) {
			required = append(required, f)
		}
	}
	s["required"] = required
	s["$schema"] = SchemaDialect
	s["title"] = kind + " " + apiVersion
	return s
}

// strict sets additionalProperties: false on every object schema that lists
// its properties and leaves no room for others. It walks only the keywords
// that hold subschemas, so a field named like a keyword is no surprise.
func strict(v any) {
	s, ok := v.(map[string]any)
	if !ok {
		return
	}
	props, hasProps := s["properties"].(map[string]any)
	_, hasAdditional := s["additionalProperties"]
	preserve, _ := s["x-kubernetes-preserve-unknown-fields"].(bool)
	if hasProps && !hasAdditional && !preserve {
		s["additionalProperties"] = false
	}
	for _, child := range props {
		strict(child)
	}
	strict(s["additionalProperties"])
	strict(s["items"])
	strict(s["not"])
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		list, _ := s[k].([]any)
		for _, child := range list {
			strict(child)
		}
	}
}

func withEnum(prop any, value string) map[string]any {
	m, _ := deepCopy(prop).(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	m["type"] = "string"
	m["enum"] = []any{value}
	return m
}

// metadata describes the ObjectMeta fields a manifest usually sets, and
// leaves the others open (the CRD itself says only "type: object").
func metadata(prop any) map[string]any {
	m, _ := deepCopy(prop).(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	m["type"] = "object"
	stringMap := map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}}
	m["properties"] = map[string]any{
		"name":        map[string]any{"type": "string"},
		"namespace":   map[string]any{"type": "string"},
		"labels":      stringMap,
		"annotations": stringMap,
	}
	return m
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, c := range v {
			m[k] = deepCopy(c)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, c := range v {
			s[i] = deepCopy(c)
		}
		return s
	default:
		return v
	}
}

// Write replaces the *.json files under dir with files.
func Write(dir string, files map[string][]byte) error {
	old, err := List(dir)
	if err != nil {
		return err
	}
	for _, name := range old {
		if _, keep := files[name]; !keep {
			if err := os.Remove(filepath.Join(dir, filepath.FromSlash(name))); err != nil {
				return err
			}
		}
	}
	for name, b := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// List returns the *.json files under dir, slash-separated and relative to
// dir; none when dir does not exist.
func List(dir string) ([]string, error) {
	var names []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) && p == dir {
				return filepath.SkipDir
			}
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".json") {
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	slices.Sort(names)
	return names, err
}
