#!/usr/bin/env bash
# Installs the Debian packages dossier needs, only when one is missing (idempotent, fast when done).
# Runs apt as root, or through sudo for an ordinary user.
set -euo pipefail
pkgs=(postgresql-15 postgresql-client-15 postgresql-15-cron postgresql-15-pgtap postgresql-15-pgaudit)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
((${#missing[@]})) || exit 0
echo "installing Debian packages: ${missing[*]}"
sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
