package migrate

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// oldNameServers finds the old cluster's NameServer addresses and refuses
// inputs that disagree about them: a Broker or Console pointed at other
// NameServers than the NameService given belongs to another cluster.
func oldNameServers(p *parts) (SourceCluster, error) {
	brokerList := splitNameServers(p.broker.obj.Spec.NameServers)
	var statusList []string
	if p.nameService != nil {
		statusList = cleanList(p.nameService.obj.Status.NameServers)
	}
	if len(brokerList) > 0 && len(statusList) > 0 && !slices.Equal(brokerList, statusList) {
		return SourceCluster{}, fmt.Errorf("%s: spec.nameServers: points at %s, but %s runs %s (status.nameServers): "+
			"the Broker belongs to another cluster's NameServers; give the NameService the Broker uses, or clear spec.nameServers",
			p.broker.ref, strings.Join(brokerList, ";"), p.nameService.ref, strings.Join(statusList, ";"))
	}
	list := brokerList
	if len(list) == 0 {
		list = statusList
	}
	if p.console != nil {
		consoleList := splitNameServers(p.console.obj.Spec.NameServers)
		if len(consoleList) > 0 && len(list) > 0 && !slices.Equal(consoleList, list) {
			return SourceCluster{}, fmt.Errorf("%s: spec.nameServers: points at %s, but the Broker's NameServers are %s: "+
				"the Console watches another cluster; leave it out of the inputs, or clear spec.nameServers",
				p.console.ref, strings.Join(consoleList, ";"), strings.Join(list, ";"))
		}
	}
	return SourceCluster{NameServers: list}, nil
}

// splitNameServers splits the operator's "ip:9876;ip:9876;" form.
func splitNameServers(s string) []string {
	return cleanList(strings.Split(s, ";"))
}

// cleanList trims, drops empty entries (the operator leaves a trailing
// ';') and sorts, so that lists compare as sets.
func cleanList(in []string) []string {
	var out []string
	for _, s := range in {
		for _, part := range strings.Split(s, ";") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	sort.Strings(out)
	return out
}
