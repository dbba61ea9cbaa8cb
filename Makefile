NPM_READY := node_modules/.package-lock.json

.PHONY: generate test explain bench tools deps

# Installs the npm dependencies when they are missing or older than the lock file.
$(NPM_READY): package.json package-lock.json
	npm ci --no-audit --no-fund

deps: $(NPM_READY)

# promtool, amtool, prometheus and alertmanager from Debian, when missing.
tools:
	.ci/install-tools

## make generate: compile the definitions into generated/
generate: deps
	npm run --silent generate

## make test: drift check, then every suite with the real tools, then the live fire drills
test: deps tools
	npm run --silent generate -- --check
	npm test
	npm run --silent test:e2e

explain: deps
	npm run --silent explain

bench: deps
	npm run --silent bench
