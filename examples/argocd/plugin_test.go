package argocd_test

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

type configManagementPlugin struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Generate struct {
			Command []string `json:"command"`
			Args    []string `json:"args"`
		} `json:"generate"`
		PreserveFileMode bool `json:"preserveFileMode"`
	} `json:"spec"`
}

func readPlugin(t *testing.T) configManagementPlugin {
	t.Helper()
	data, err := os.ReadFile("plugin.yaml")
	require.NoError(t, err)
	var p configManagementPlugin
	require.NoError(t, yaml.UnmarshalStrict(data, &p))
	return p
}

func pluginGenerateCommand(t *testing.T) []string {
	t.Helper()
	p := readPlugin(t)
	require.NotEmpty(t, p.Spec.Generate.Command)
	return append(append([]string{}, p.Spec.Generate.Command...), p.Spec.Generate.Args...)
}
