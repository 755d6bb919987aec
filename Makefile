# rocketmq-gitops: every tool is pinned and installed into ./bin with go install.
SHELL := /usr/bin/env bash -o pipefail
.SHELLFLAGS := -ec
export GOTOOLCHAIN := local

BIN            := $(CURDIR)/bin
KUSTOMIZE_VERSION      := v5.8.2
CONTROLLER_GEN_VERSION := v0.23.0
GOLANGCI_LINT_VERSION  := v2.15.0
BENCHSTAT_VERSION      := v0.0.0-20260908200009-22c9c6c9d4da

KUSTOMIZE      := $(BIN)/kustomize-$(KUSTOMIZE_VERSION)
CONTROLLER_GEN := $(BIN)/controller-gen-$(CONTROLLER_GEN_VERSION)
GOLANGCI_LINT  := $(BIN)/golangci-lint-$(GOLANGCI_LINT_VERSION)
KRM_FN         := $(BIN)/krm-fn
KUBE_ASSETS    := $(BIN)/k8s

export KUSTOMIZE
export CONTROLLER_GEN
export KUBEBUILDER_ASSETS := $(KUBE_ASSETS)

.PHONY: all
all: build

##@ Build

# The version stamped into every binary (krm-fn version, status-controller
# --version): git describe of the nearest tag, and the commit. The
# Dockerfile takes the same values as the VERSION and COMMIT build args.
VERSION_PKG := github.com/rocketmq-gitops/rocketmq-gitops/internal/version
VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null)
COMMIT      ?= $(shell git rev-parse HEAD 2>/dev/null)
LDFLAGS     := -X $(VERSION_PKG).version=$(VERSION) -X $(VERSION_PKG).commit=$(COMMIT)

.PHONY: build
build: krm-fn ## Build krm-fn and status-controller into ./bin, stamped with VERSION and COMMIT.
	@echo "make: building status-controller $(VERSION) into bin/" >&2
	CGO_ENABLED=0 go build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/status-controller ./cmd/status-controller

.PHONY: krm-fn
krm-fn: ## Build krm-fn (the KRM function) into ./bin, stamped with VERSION and COMMIT.
	@echo "make: building krm-fn $(VERSION) into bin/" >&2
	CGO_ENABLED=0 go build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/krm-fn ./cmd/krm-fn

$(KRM_FN): krm-fn

.PHONY: demo
demo: krm-fn $(KUSTOMIZE) ## Render examples/kustomize with real kustomize and print it (needs only krm-fn and kustomize).
	@echo "make: rendering examples/kustomize with kustomize $(KUSTOMIZE_VERSION) and bin/krm-fn" >&2
	PATH=$(BIN):$$PATH hack/render.sh examples/kustomize

##@ Code generation

.PHONY: generate
generate: $(CONTROLLER_GEN) ## Generate DeepCopy methods.
	$(CONTROLLER_GEN) object paths=./pkg/api/...

.PHONY: manifests
manifests: generate ## Regenerate the CRDs into config/crd, their JSON Schemas into schemas/ and the controller ClusterRole into config/rbac.
	$(CONTROLLER_GEN) crd paths=./pkg/api/... output:crd:artifacts:config=config/crd/bases
	$(CONTROLLER_GEN) rbac:roleName=rocketmq-gitops-status-controller paths=./internal/controller/... output:rbac:artifacts:config=config/rbac
	go run ./hack/crdschema -crds config/crd/bases -out schemas

.PHONY: schemas
schemas: ## Regenerate the JSON Schemas of the CRDs into schemas/ (for yaml-language-server and kubeconform).
	go run ./hack/crdschema -crds config/crd/bases -out schemas

##@ Test

.PHONY: test
test: kube-assets $(KUSTOMIZE) $(CONTROLLER_GEN) build ## Run the whole suite (race detector on), the e2e scenarios included.
	go test -race -count=1 -timeout 30m ./...

.PHONY: e2e
e2e: kube-assets ## Run only the end-to-end scenarios on the simulated cluster (RUN=regexp picks scenarios).
	go test -race -count=1 -timeout 20m ./test/e2e/ $(if $(RUN),-run '$(RUN)') -v

.PHONY: kube-assets
kube-assets: ## Build etcd, kube-apiserver, kubectl, kube-controller-manager, kube-scheduler and kwok into ./bin/k8s.
	hack/kube-assets.sh

.PHONY: bench
bench: build $(KUSTOMIZE) ## Run the benchmarks, krm-fn's start-up (BenchmarkStartup, hack/bench-kustomize.sh) included.
	KRM_FN=$(KRM_FN) go test -run '^$$' -bench . -benchmem ./...
	PATH=$(BIN):$$PATH hack/bench-kustomize.sh

.PHONY: fuzz
fuzz: ## Run each fuzz target for a short while.
	hack/fuzz.sh

##@ Lint

.PHONY: fmt
fmt: ## gofmt -w every Go file.
	gofmt -w $$(git ls-files '*.go')

.PHONY: vet
vet: ## go vet ./...
	go vet ./...

.PHONY: lint
lint: $(GOLANGCI_LINT) vet ## gofmt, go vet and golangci-lint.
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo 'gofmt: run make fmt'; exit 1; }
	$(GOLANGCI_LINT) run ./...

.PHONY: verify
verify: manifests ## Fail when generated files are stale.
	git diff --exit-code -- pkg/api config/crd config/rbac schemas

##@ Tools

$(KUSTOMIZE):
	@echo "make: installing kustomize $(KUSTOMIZE_VERSION) into bin/ (first run only)" >&2
	@mkdir -p $(BIN)/tmp
	GOBIN=$(BIN)/tmp go install sigs.k8s.io/kustomize/kustomize/v5@$(KUSTOMIZE_VERSION)
	mv $(BIN)/tmp/kustomize $@
	ln -sf $(notdir $@) $(BIN)/kustomize

$(CONTROLLER_GEN):
	@mkdir -p $(BIN)/tmp
	GOBIN=$(BIN)/tmp go install sigs.k8s.io/controller-tools/cmd/controller-gen@$(CONTROLLER_GEN_VERSION)
	mv $(BIN)/tmp/controller-gen $@

$(GOLANGCI_LINT):
	@mkdir -p $(BIN)/tmp
	GOBIN=$(BIN)/tmp go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	mv $(BIN)/tmp/golangci-lint $@

.PHONY: help
help:
	@awk 'BEGIN{FS=":.*##"} /^[a-zA-Z_-]+:.*##/{printf "  %-14s %s\n",$$1,$$2}' $(MAKEFILE_LIST)

##@ GitOps delivery

BASE           ?= origin/main
HEAD           ?= HEAD
OVERLAYS       ?=
IMAGE_REGISTRY ?= ghcr.io/rocketmq-gitops
IMAGE_TAG      ?= $(VERSION)
DOCKER_BUILD_ARGS = --build-arg VERSION=$(VERSION) --build-arg COMMIT=$(COMMIT)
DOCKER         ?= docker

.PHONY: pr-diff
pr-diff: $(KUSTOMIZE) ## Per-object diff of every rendered overlay: make pr-diff BASE=origin/main HEAD=HEAD [OVERLAYS=a,b].
	@go run ./cmd/render-diff --base '$(BASE)' --head '$(HEAD)' $(if $(OVERLAYS),--overlays '$(OVERLAYS)')

.PHONY: rendered
rendered: build $(KUSTOMIZE) ## Regenerate examples/rendered (the committed renders of the examples).
	PATH=$(BIN):$$PATH hack/render-examples.sh examples/rendered

.PHONY: docker-build
docker-build: ## Build the status-controller, krm-fn (container function) and argocd-cmp images.
	$(DOCKER) build $(DOCKER_BUILD_ARGS) --target runtime -t $(IMAGE_REGISTRY)/status-controller:$(IMAGE_TAG) .
	$(DOCKER) build $(DOCKER_BUILD_ARGS) --target krm-fn -t $(IMAGE_REGISTRY)/krm-fn:$(IMAGE_TAG) .
	$(DOCKER) build $(DOCKER_BUILD_ARGS) --target argocd-cmp -t $(IMAGE_REGISTRY)/rocketmq-argocd-cmp:$(IMAGE_TAG) .
