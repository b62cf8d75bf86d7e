#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine with Node 20 (run as root),
# then runs the whole suite: lint, type-check, and every test (unit, real sshd lab, real Redis,
# Slack and Kubernetes doubles, kubectl against the double).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: sshd and iproute2 for the lab nodes, kubectl to prove the Kubernetes double,
# redis-server when the machine has none, procps/psmisc for the lab's process handling.
need=()
for pkg in openssh-server openssh-client iproute2 kubernetes-client redis-server procps psmisc gawk; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Redis: use the one on 127.0.0.1:6379, or start one that keeps nothing on disk.
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no
  for _ in $(seq 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

npm ci --no-audit --no-fund
npm run lint
npm run typecheck
npx vitest run
