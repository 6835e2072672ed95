#!/usr/bin/env bash
# Acceptance sweep for `mlp gradcheck --reference`: random seeds and sizes (n 1..512, n_in 1..1024,
# n_hidden 1..128, including n = n_in = n_hidden = 1 and the largest sizes), a PyTorch float64 reference from
# tools/torch_reference.py for each, and Mlp's float32 forward + backward checked against it at --rtol.
# Prints one line per configuration and the largest norm-relative error seen; exits 1 if any check failed.
#
# Usage: tools/sweep_reference.sh [COUNT=30] [SWEEP_SEED=1] [RTOL=1e-4]
# Needs Debian's python3-torch (run by /usr/bin/python3) and the .NET SDK.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-30}; sweep_seed=${2:-1}; rtol=${3:-1e-4}
py=/usr/bin/python3
"$py" -c 'import torch, numpy' 2>/dev/null || { echo "sweep: /usr/bin/python3 lacks torch/numpy (apt-get install python3-torch python3-numpy)" >&2; exit 2; }
dotnet build src/Cli -c Release -v quiet -nologo >/dev/null
mlp="dotnet src/Cli/bin/Release/net10.0/mlp.dll"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

# Fixed edge cases first, then random sizes drawn from SWEEP_SEED.
configs=$("$py" - "$count" "$sweep_seed" <<'PY'
import random, sys
count, seed = int(sys.argv[1]), int(sys.argv[2])
rnd = random.Random(seed)
fixed = [(1, 1, 1), (1, 1024, 128), (512, 1, 128), (512, 1024, 1), (512, 1024, 128), (1, 784, 50)]
rows = fixed[:count]
while len(rows) < count:
    # log-uniform sizes so small and large both appear
    rows.append(tuple(int(round(2 ** rnd.uniform(0, hi))) for hi in (9, 10, 7)))
for i, (n, nin, nh) in enumerate(rows):
    print(rnd.randrange(1, 10**6), n, nin, nh, "--zero-bias" if i % 5 == 4 else "")
PY
)

fails=0; worst=0; worst_cfg=""
while read -r seed n nin nh extra; do
  f="$work/ref.npz"
  "$py" tools/torch_reference.py --seed "$seed" --n "$n" --n-in "$nin" --n-hidden "$nh" $extra --out "$f" >/dev/null
  set +e; json=$($mlp gradcheck --reference "$f" --rtol "$rtol" --json); rc=$?; set -e
  read -r err kinks < <("$py" -c 'import json,sys; d=json.load(sys.stdin)["reference"]; print(d["max_norm_relative_error"], d["relu_mask_disagreements"])' <<<"$json")
  status=$([ "$rc" = 0 ] && echo ok || echo FAIL)
  [ "$rc" = 0 ] || fails=$((fails + 1))
  printf '%-5s seed %-7s n %-4s n_in %-5s n_hidden %-4s %-12s max norm-rel err %s  relu kinks %s\n' "$status" "$seed" "$n" "$nin" "$nh" "$extra" "$err" "$kinks"
  if "$py" -c "import sys; sys.exit(0 if float('$err') > float('$worst') else 1)"; then worst=$err; worst_cfg="seed $seed n $n n_in $nin n_hidden $nh $extra"; fi
done <<<"$configs"
echo "configurations: $count, failed: $fails, largest norm-relative error: $worst ($worst_cfg), rtol $rtol"
[ "$fails" = 0 ]
