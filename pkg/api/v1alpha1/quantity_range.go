package v1alpha1

import (
	"math"
	"reflect"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// maxQuantity bounds every quantity of the spec. resource.Quantity parses
// "1e900000000" without complaint, but comparing, adding or printing it
// then computes a 900-million-digit number and never returns; nothing a
// pod asks for comes near 2^63.
const maxQuantity = float64(math.MaxInt64)

// quantityRangeErrors finds every quantity below v whose magnitude is out
// of range, before any arithmetic touches it. v is walked by reflection so
// that quantities added to the spec later are covered without a list.
func quantityRangeErrors(v reflect.Value, path *field.Path) field.ErrorList {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return quantityRangeErrors(v.Elem(), path)
	case reflect.Struct:
		if q, ok := v.Addr().Interface().(*resource.Quantity); ok {
			return checkQuantityRange(q, path)
		}
		return structQuantityRangeErrors(v, path)
	case reflect.Map:
		var errs field.ErrorList
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			elem := reflect.New(v.Type().Elem()).Elem()
			elem.Set(v.MapIndex(k))
			errs = append(errs, quantityRangeErrors(elem, path.Key(k.String()))...)
		}
		return errs
	case reflect.Slice:
		var errs field.ErrorList
		for i := range v.Len() {
			errs = append(errs, quantityRangeErrors(v.Index(i), path.Index(i))...)
		}
		return errs
	}
	return nil
}

func structQuantityRangeErrors(v reflect.Value, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		p := path
		switch {
		case name == "-":
			continue
		case name != "":
			p = path.Child(name)
		case !f.Anonymous:
			p = path.Child(f.Name)
		}
		errs = append(errs, quantityRangeErrors(v.Field(i), p)...)
	}
	return errs
}

// checkQuantityRange uses AsApproximateFloat64, which only scales a float
// and so stays cheap for any exponent.
func checkQuantityRange(q *resource.Quantity, path *field.Path) field.ErrorList {
	if f := q.AsApproximateFloat64(); math.IsNaN(f) || math.Abs(f) > maxQuantity {
		return field.ErrorList{field.Invalid(path, "(out of range)", "must be at most 8Ei; use a suffix such as Gi")}
	}
	return nil
}
