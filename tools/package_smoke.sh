#!/usr/bin/env bash
# Packs every package into a local feed in a temp folder and uses them as a new user would:
#   1. `dotnet pack Mlp.sln -c Release -o FEED` (package validation runs as part of pack),
#   2. installs the mlp tool from FEED into a temp tool path and runs `mlp --help`, then trains a small model with it,
#   3. creates a fresh console project, adds Mlp.Pipeline from FEED and runs the README's load-and-predict example,
#   4. runs the README's F# script (`#r "nuget: Mlp.FSharp"`) with `dotnet fsi`, its dependencies coming from NuGet.
# Prints one "package-smoke: PASS|FAIL <step>" line per step (.ci/run counts them) and exits 1 if any step failed.
# Usage: tools/package_smoke.sh [--no-build]   (--no-build packs what `dotnet test Mlp.sln -c Release` built)
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
version=$(sed -nE 's:.*<Version Condition=[^>]*>([^<]+)</Version>.*:\1:p' Directory.Build.props | head -1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
feed=$work/feed
# A private package cache: nothing stale from an earlier pack of the same version, nothing left behind.
export NUGET_PACKAGES=$work/packages
failed=0
step() {  # step NAME COMMAND… : runs it with its output in a log, prints PASS/FAIL and the log's tail on failure
  local name=$1; shift
  if "$@" >"$work/$name.log" 2>&1; then echo "package-smoke: PASS $name"
  else echo "package-smoke: FAIL $name"; tail -n 30 "$work/$name.log"; failed=1; fi
}

step pack dotnet pack Mlp.sln -c Release -o "$feed" ${1:+"$1"}
ls -l "$feed" | awk 'NR > 1 { printf "  %10d  %s\n", $5, $9 }'

step tool-install dotnet tool install mlp --version "$version" --add-source "$feed" --tool-path "$work/tool"
step tool-help bash -c "'$work/tool/mlp' --help > '$work/help.txt' && grep -q '^  mlp \\[command\\]' '$work/help.txt' && grep -q '^  train' '$work/help.txt'"
mkdir -p "$work/app"
cp data/fashion-mnist/t10k-images-idx3-ubyte.gz "$work/app/"
step tool-train bash -c "cd '$work/app' && '$work/tool/mlp' train --data '$root/data/fashion-mnist' --hidden 32 --epochs 1 --save model.safetensors"

# A fresh console project that takes Mlp.Pipeline from the local feed (a nuget.config beside it adds the feed to the
# machine's NuGet sources, so the package's own dependencies still restore).
step new-console dotnet new console -o "$work/app" --force
cat > "$work/app/nuget.config" <<EOF
<configuration>
  <packageSources>
    <add key="mlp-local" value="$feed" />
  </packageSources>
</configuration>
EOF
step add-package dotnet add "$work/app" package Mlp.Pipeline --version "$version"
cp tools/package-smoke/Program.cs "$work/app/Program.cs"
step consumer-run bash -c "cd '$work/app' && dotnet run -c Release | tee /dev/stderr | grep -qE '^Linear\\(784, 32\\).*: [0-9]( [0-9]){7}\$'"

# The README's F# script; dotnet fsi finds the local feed through the nuget.config beside it.
sed "s/Mlp.FSharp, [0-9][^\"]*/Mlp.FSharp, $version/" tools/package-smoke/predict.fsx > "$work/app/predict.fsx"
step fsharp-script bash -c "cd '$work/app' && dotnet fsi predict.fsx | tee /dev/stderr | grep -qE '^Linear\\(784, 32\\).*: \\[\\|'"

exit "$failed"
