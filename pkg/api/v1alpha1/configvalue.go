package v1alpha1

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// ConfigValue is one broker.conf value. It accepts a YAML string, number or
// boolean (so `autoCreateTopicEnable: false` needs no quotes) and keeps the
// text form that broker.conf, a Java properties file, needs.
//
// Its schema has no type, only x-kubernetes-preserve-unknown-fields, so that
// the API server stores numbers and booleans as written: a structural schema
// has no type for "string, number or boolean" (x-kubernetes-int-or-string
// refuses booleans and fractions). Objects and lists are refused by
// DecodeCluster; the API server cannot refuse them, because CEL rules do not
// compile against untyped values.
//
// +kubebuilder:validation:Type=""
// +kubebuilder:pruning:PreserveUnknownFields
type ConfigValue string

// UnmarshalJSON accepts a string, number or boolean; objects, lists and
// null are refused because broker.conf cannot hold them.
func (v *ConfigValue) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return fmt.Errorf("empty config value")
	}
	switch b[0] {
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*v = ConfigValue(s)
		return nil
	case 't', 'f':
		var x bool
		if err := json.Unmarshal(b, &x); err != nil {
			return err
		}
		*v = ConfigValue(strconv.FormatBool(x))
		return nil
	case '{', '[', 'n':
		return fmt.Errorf("config value must be a string, number or boolean, not %s", b)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		*v = ConfigValue(n.String())
		return nil
	}
}
