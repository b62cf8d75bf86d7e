#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine with Node 20 (run as root),
# then runs the whole suite: lint, type-check, and every test (unit, real sshd lab, real Redis,
# Slack and Kubernetes doubles, kubectl against the double).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: sshd and iproute2 for the lab nodes, openssl for the Kubernetes double's
# certificate, redis-server when the machine has none, procps/psmisc for the lab's processes,
# net-tools (netstat) for the real-tool fixtures, gawk and mawk for the bench baselines,
# tcpdump and strace for the deep probe's lab tests.
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
updated=
apt_update() { [ -n "$updated" ] || { apt-get update -qq; updated=1; }; }
export DEBIAN_FRONTEND=noninteractive
need=()
for pkg in openssh-server openssh-client iproute2 openssl redis-server procps psmisc gawk mawk net-tools tcpdump strace; do
  installed "$pkg" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  apt_update
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Debian's kubectl (kubernetes-client) proves the Kubernetes double faithful. Machines that ship
# another kubectl package own /usr/bin/kubectl, so Debian's is unpacked beside the project.
if installed kubernetes-client; then
  export TCPCHECK_KUBECTL=/usr/bin/kubectl
else
  kdir="$PWD/.cache/kubernetes-client"
  if [ ! -x "$kdir/usr/bin/kubectl" ]; then
    apt_update
    tmp=$(mktemp -d)
    (cd "$tmp" && apt-get download -qq kubernetes-client)
    mkdir -p "$kdir"
    dpkg-deb -x "$tmp"/kubernetes-client_*.deb "$kdir"
    rm -rf "$tmp"
  fi
  export TCPCHECK_KUBECTL="$kdir/usr/bin/kubectl"
fi

# Redis: use the one on 127.0.0.1:6379, or start one that keeps nothing on disk.
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no
  for _ in $(seq 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

npm ci --no-audit --no-fund
npm run lint
npm run typecheck
mkdir -p .cache
npx vitest run --reporter=default --reporter=json --outputFile=.cache/vitest-results.json
# The plain closing line CI reads.
node -e 'const r = JSON.parse(require("fs").readFileSync(".cache/vitest-results.json", "utf8")); console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`)'
