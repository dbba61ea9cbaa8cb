NPM_READY := node_modules/.package-lock.json

.PHONY: generate test lint explain bench bench-lint tools deps apply diff kube-env

# Installs the npm dependencies when they are missing or older than the lock file.
$(NPM_READY): package.json package-lock.json
	npm ci --no-audit --no-fund

deps: $(NPM_READY)

# promtool, amtool, prometheus, alertmanager and kubectl from Debian, when missing.
tools:
	.ci/install-tools

## make generate: compile the definitions into generated/
generate: deps
	npm run --silent generate

## make test: drift check, lint, then every suite with the real tools; the live fire drills run beside them
# The drills mostly wait (compressed time on real Prometheus and Alertmanager processes), so they
# start first and run while the CPU-bound steps do; their output is printed after the suites', and
# make fails when either side failed.
test: deps tools
	@drills=$$(mktemp); \
	echo "live fire drills (npm run test:e2e) started beside the suites; their output follows them"; \
	npm run --silent test:e2e >"$$drills" 2>&1 & pid=$$!; \
	npm run --silent generate -- --check && npm run --silent lint && npm test; suites=$$?; \
	wait $$pid; e2e=$$?; \
	cat "$$drills"; rm -f "$$drills"; \
	[ $$suites -eq 0 ] && [ $$e2e -eq 0 ]

## make lint: check the definitions and the generated output (promtool, amtool, conventions)
lint: deps tools
	npm run --silent lint

explain: deps
	npm run --silent explain

bench: deps
	npm run --silent bench

# The environment `make apply` and `make diff` act on; generated/kubernetes/$(ENV) must exist.
ENV ?=
KUBE_DIR = generated/kubernetes/$(ENV)
KUBECTL_FLAGS = --server-side --field-manager=obsgen -k $(KUBE_DIR)

kube-env:
	@test -n "$(ENV)" || { echo 'usage: make apply ENV=<environment> (or make diff ENV=...)' >&2; exit 2; }
	@test -f "$(KUBE_DIR)/kustomization.yaml" || { echo "no $(KUBE_DIR)/kustomization.yaml: unknown environment $(ENV)" >&2; exit 2; }

## make apply ENV=staging: refuse stale output, then server-side apply the environment's manifests
apply: deps tools kube-env
	npm run --silent generate -- --check
	kubectl apply $(KUBECTL_FLAGS)

## make diff ENV=staging: what apply would change in the cluster (kubectl diff exits 1 when it differs)
diff: deps tools kube-env
	kubectl diff $(KUBECTL_FLAGS)

bench-lint: deps tools
	npm run --silent bench:lint
