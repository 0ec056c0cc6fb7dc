#!/usr/bin/env bash
# Installs, from Debian, what the cluster needs and is missing: Varnish with varnish-modules
# (xkey, var); with --bench also nginx (the static-file ceiling) and wrk (the load).
set -euo pipefail
wanted=(varnish varnish-modules)
if [ "${1:-}" = "--bench" ]; then
  wanted+=(nginx-light wrk)
fi
missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# nginx from another Debian package (nginx, nginx-full) does as well as nginx-light.
if [[ " ${missing[*]} " == *" nginx-light "* ]] && command -v nginx >/dev/null; then
  missing=("${missing[@]/nginx-light}")
fi
missing=(${missing[@]+"${missing[@]}"})
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}"
  apt-get update -qq
  # Installing must not start the packages' own services (they would take ports 80 and 6081).
  DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
