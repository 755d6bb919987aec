package migrate

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzConvert: any input is converted or refused with an error, never a
// panic, and a converted cluster always encodes.
func FuzzConvert(f *testing.F) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "golden", "*", "input.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, in := range inputs {
		b, err := os.ReadFile(in)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in := &Inputs{}
		if err := Parse(data, in); err != nil {
			return
		}
		res, err := Convert(in, Options{})
		if err != nil {
			return
		}
		if _, err := Encode(res.Cluster); err != nil {
			t.Fatalf("a converted cluster does not encode: %v", err)
		}
	})
}
