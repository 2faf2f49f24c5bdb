#!/usr/bin/env bash
# Installs the Debian packages dossier needs, only when one is missing (idempotent, fast when done).
# Runs apt as root, or through sudo for an ordinary user.
set -euo pipefail
pkgs=(postgresql-15 postgresql-client-15 postgresql-15-cron postgresql-15-pgtap postgresql-15-pgaudit
      # WeasyPrint (the PDF letter, `request export --format pdf`) loads Pango and HarfBuzz, and needs a font
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
((${#missing[@]})) || exit 0
echo "installing Debian packages: ${missing[*]}"
sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
# wait up to 5 minutes for a dpkg/apt lock another apt (unattended-upgrades) holds
lock=(-o DPkg::Lock::Timeout=300)
"${sudo[@]}" apt-get "${lock[@]}" update -qq
"${sudo[@]}" apt-get "${lock[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
