#!/usr/bin/env bash
# The full attack run of issue 12: ≥ 300 hostile inputs (hand-made lies and bombs plus seeded corruptions) for IDX,
# pickle, npz/npy, safetensors model files and checkpoints, each through the real `mlp` (tests/Hostile).
# Asserts per run: exit 0/1/2, no stack trace, the message names the file, peak RSS ≤ 512 MB, no temp files left.
# The report (counts per format, violations) is printed at the end. The fast part of the same tests runs in CI.
# ML.NET model zips are attacked in-process by tests/MLNet (MlpModelZipBombTests): mlp has no command that reads them.
set -euo pipefail
cd "$(dirname "$0")/.."
report="${TMPDIR:-/tmp}/mlp-hostile-report.txt"
rm -f "$report"
dotnet build tests/Hostile -c Release -v q >/dev/null
MLP_HOSTILE_FULL=1 dotnet test tests/Hostile -c Release --no-build --filter "FullyQualifiedName~AttackTests" "$@" || status=$?
cat "$report"
exit "${status:-0}"
