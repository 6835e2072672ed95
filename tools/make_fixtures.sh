#!/usr/bin/env bash
# Regenerates the committed test fixtures: PyTorch references for the lesson's model (tests/fixtures/torch)
# and small numpy files of every supported and refused kind (tests/fixtures/numpy).
# Needs Debian's python3-torch and python3-numpy: run with /usr/bin/python3, never a pyenv python.
set -euo pipefail
cd "$(dirname "$0")/.."
py=/usr/bin/python3
out=tests/fixtures/torch
rm -f "$out"/*.npz
# seed n n_in n_hidden [--zero-bias]: edge sizes 1 in every position, a lesson-like shape, and the lesson's zero biases.
while read -r seed n nin nh extra; do
  "$py" tools/torch_reference.py --seed "$seed" --n "$n" --n-in "$nin" --n-hidden "$nh" $extra \
    --out "$out/n${n}_in${nin}_h${nh}_s${seed}${extra:+_zero_bias}.npz"
done <<'CONFIGS'
1 1 1 1
2 1 16 8
3 7 1 5
4 5 3 1
5 32 100 50
6 48 96 40
7 20 30 10 --zero-bias
CONFIGS
"$py" tools/make_numpy_fixtures.py tests/fixtures/numpy
du -sh tests/fixtures
