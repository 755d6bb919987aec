package v1alpha1

// EffectivePlacement merges a component's placement over the cluster-wide
// one, field by field: a field the component sets wins, an unset one is
// inherited. Either argument may be nil. The result shares nothing with its
// arguments, so the renderer may change it freely.
func EffectivePlacement(cluster, component *Placement) Placement {
	var out Placement
	if cluster != nil {
		out = *cluster.DeepCopy()
	}
	if component == nil {
		return out
	}
	c := component.DeepCopy()
	if c.AntiAffinity != "" {
		out.AntiAffinity = c.AntiAffinity
	}
	if c.TopologyKey != "" {
		out.TopologyKey = c.TopologyKey
	}
	if len(c.TopologySpreadConstraints) > 0 {
		out.TopologySpreadConstraints = c.TopologySpreadConstraints
	}
	if len(c.NodeSelector) > 0 {
		out.NodeSelector = c.NodeSelector
	}
	if len(c.Tolerations) > 0 {
		out.Tolerations = c.Tolerations
	}
	if c.PriorityClassName != "" {
		out.PriorityClassName = c.PriorityClassName
	}
	return out
}
