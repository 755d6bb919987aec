package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/migrate"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
)

// migrateFlags are the options of krm-fn migrate.
type migrateFlags struct {
	output, report, name  string
	transfers             bool
	topics, sourceNameSrv string
	batchSize             int
	deleteSourceTopic     bool
	popInvisibleTime      time.Duration
	timeout               time.Duration
}

func newMigrateCommand(s streams) *cobra.Command {
	var f migrateFlags
	cmd := &cobra.Command{
		Use:   "migrate FILE [FILE|-]...",
		Short: "Convert the Apache RocketMQ Operator's resources into a RocketMQCluster (or, with --transfers, TopicTransfers)",
		Long: `migrate reads the custom resources of the Apache RocketMQ Operator
(rocketmq.apache.org/v1alpha1 NameService, Broker, Controller, Console) of one
cluster, with the ConfigMaps they read (broker-common.conf, BROKER_MEM), and
writes a RocketMQCluster that keeps what they chose. What cannot be carried
over is reported field by field with the reason, on stderr or in --report.
Inputs that do not describe one cluster are refused.

With --transfers it writes instead one TopicTransfer per topic, from the old
cluster (its NameServers, its brokerClusterName) to the new RocketMQCluster,
labelled in batches (migrate.rocketmq.gitops.dev/batch). The topics come from
--topics FILE (one per line: "topic [group1,group2]"), or are read from the
old cluster's NameServers and brokers. See docs/migrate.md.`,
		Args:          cobra.MinimumNArgs(1),
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMigrate(cmd.Context(), s, f, args)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.output, "output", "o", "", "write the YAML to this file instead of stdout")
	fl.StringVar(&f.report, "report", "", "write the report to this file instead of stderr")
	fl.StringVar(&f.name, "name", "", "name of the new RocketMQCluster (default: the Broker's name)")
	fl.BoolVar(&f.transfers, "transfers", false, "write TopicTransfers from the old cluster to the new one instead of the RocketMQCluster")
	fl.StringVar(&f.topics, "topics", "", "with --transfers: the topic list file; without it the topics are read from the old cluster")
	fl.StringVar(&f.sourceNameSrv, "source-nameservers", "", "with --transfers: the old NameServers, host:port;host:port (default: from the inputs)")
	fl.IntVar(&f.batchSize, "batch-size", 10, "with --transfers: the most topics per batch")
	fl.BoolVar(&f.deleteSourceTopic, "delete-source-topic", false, "with --transfers: delete each topic from the old cluster once drained")
	fl.DurationVar(&f.popInvisibleTime, "pop-invisible-time", -1, "with --transfers: the TopicTransfers' popInvisibleTime, e.g. 0s when no consumer uses POP (default: unset, the controller's 60s)")
	fl.DurationVar(&f.timeout, "timeout", 30*time.Second, "with --transfers and no --topics: how long reading the old cluster may take")
	return cmd
}

func runMigrate(ctx context.Context, s streams, f migrateFlags, files []string) error {
	in := &migrate.Inputs{}
	for _, file := range files {
		data, err := readInput(s.in, file)
		if err != nil {
			return err
		}
		if err := migrate.Parse(data, in); err != nil {
			return fmt.Errorf("%s: %w", displayName(file), err)
		}
	}
	res, err := migrate.Convert(in, migrate.Options{Name: f.name})
	if err != nil {
		return err
	}
	if !f.transfers {
		return writeMigration(s, f, &res.Report, res.Cluster)
	}
	return runTransfers(ctx, s, f, res)
}

func runTransfers(ctx context.Context, s streams, f migrateFlags, res *migrate.Result) error {
	src := res.Source
	if f.sourceNameSrv != "" {
		src.NameServers = strings.Split(f.sourceNameSrv, ";")
	}
	var report migrate.Report
	topics, err := transferTopics(ctx, s, f, src, &report)
	if err != nil {
		return err
	}
	opts := migrate.TransferOptions{
		Target: res.Cluster.Name, Namespace: res.Cluster.Namespace,
		BatchSize: f.batchSize, DeleteSourceTopic: f.deleteSourceTopic,
	}
	if f.popInvisibleTime >= 0 {
		opts.PopInvisibleTime = &metav1.Duration{Duration: f.popInvisibleTime}
	}
	ts, err := migrate.Transfers(src, topics, opts)
	if err != nil {
		return err
	}
	objs := make([]any, len(ts))
	for i := range ts {
		objs[i] = &ts[i]
	}
	return writeMigration(s, f, &report, objs...)
}

// transferTopics reads the topic list file, or the old cluster.
func transferTopics(ctx context.Context, s streams, f migrateFlags, src migrate.SourceCluster, report *migrate.Report) ([]migrate.TopicGroups, error) {
	if f.topics != "" {
		data, err := readInput(s.in, f.topics)
		if err != nil {
			return nil, err
		}
		return migrate.ParseTopicList(data, report)
	}
	if len(src.NameServers) == 0 {
		return nil, fmt.Errorf("no NameServer address for the old cluster among the inputs: give --source-nameservers or --topics")
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	client := admin.New(admin.Options{})
	defer func() { _ = client.Close() }()
	return migrate.ReadTopics(ctx, client, src, report)
}

// writeMigration writes the objects, then the report; nothing is written
// when encoding fails.
func writeMigration(s streams, f migrateFlags, report *migrate.Report, objs ...any) error {
	y, err := migrate.Encode(objs...)
	if err != nil {
		return err
	}
	if err := writeTo(s.out, f.output, y); err != nil {
		return err
	}
	var r bytes.Buffer
	if err := report.Write(&r); err != nil {
		return err
	}
	if f.report == "" && r.Len() == 0 {
		return nil
	}
	return writeTo(s.errOut, f.report, r.Bytes())
}

func writeTo(w io.Writer, file string, data []byte) error {
	if file != "" {
		if err := os.WriteFile(file, data, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", file, err)
		}
		return nil
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("writing the output: %w", err)
	}
	return nil
}

// readInput reads a file, or stdin for "-".
func readInput(stdin io.Reader, file string) ([]byte, error) {
	var data []byte
	var err error
	if file == "-" {
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(file)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", displayName(file), err)
	}
	return data, nil
}
