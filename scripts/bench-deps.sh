#!/usr/bin/env bash
# Installs what the benchmarks compare against (run as root): parallel-ssh and ansible for
# bench:sweep, plus what the lab needs (sshd, iproute2, redis for bench:bot).
set -euo pipefail
need=()
for pkg in pssh ansible openssh-server openssh-client iproute2 redis-server procps; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no
