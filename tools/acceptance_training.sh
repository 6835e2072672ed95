#!/usr/bin/env bash
# Measures the training acceptance numbers of issue 4 with the Release CLI:
#   1. 784→100→10, SGD lr 0.1, batch 64, 5 epochs, seeds 0–4 on full Fashion-MNIST: test accuracy per seed and the median
#   2. the ≥ 0.89 recipes (20 epochs) on full Fashion-MNIST, and issue 14's 784→256→BatchNorm1d→GELU→Dropout→10 recipe
#   3. real MNIST (../shared/data/mnist-t10k: first 8000 train, last 2000 test)
#   4. the saved model loads into PyTorch with the same predictions; a resumed run equals an uninterrupted one
# and writes rows 1-3 (with the Adam and BatchNorm recipes) to bench/results/training.json, the file README's accuracy table is
# checked against (tests/Unit/Readme/ReadmeResultsTests.cs) and whose "ci" rows tests/Cli re-runs in CI.
# Usage: tools/acceptance_training.sh [OUT_DIR]   (takes minutes; needs dataset-fashion-mnist and python3-torch)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-$(mktemp -d)}
mkdir -p "$out"
results=bench/results/training.json
dotnet build src/Cli -c Release -v q -nologo >/dev/null
mlp() { dotnet src/Cli/bin/Release/net10.0/mlp.dll "$@"; }
acc() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["result"][sys.argv[2]])' "$@"; }

echo "== 1. 784-100-10, SGD lr 0.1, batch 64, 5 epochs, seeds 0-4"
accs=()
for s in 0 1 2 3 4; do
  mlp train --hidden 100 --lr 0.1 --batch 64 --epochs 5 --seed "$s" --json > "$out/seed$s.json"
  a=$(acc "$out/seed$s.json" test_accuracy); accs+=("$a"); echo "seed $s: test accuracy $a"
done
printf '%s\n' "${accs[@]}" | sort -n | sed -n 3p | sed 's/^/median: /'

echo "== 2. 20-epoch recipe: 784-256-10, SGD lr 0.05 momentum 0.9, weight decay 5e-4, cosine schedule"
mlp train --hidden 256 --lr 0.05 --momentum 0.9 --weight-decay 0.0005 --schedule cosine --epochs 20 --seed 0 \
  --save "$out/fashion.safetensors" --plot "$out/fashion.png" --json > "$out/recipe.json"
echo "test accuracy $(acc "$out/recipe.json" test_accuracy)"
adam_args=(--hidden 256 --optimizer adam --lr 0.001 --schedule cosine --epochs 20 --seed 0)
mlp train "${adam_args[@]}" --json > "$out/adam.json"
echo "Adam: test accuracy $(acc "$out/adam.json" test_accuracy)"
bn_spec="Linear(784, 256) BatchNorm1d(256) GELU() Dropout(0.3) Linear(256, 10)"
mlp train --model "$bn_spec" --optimizer adam --lr 0.001 --schedule cosine --batch 128 --epochs 20 --seed 0 \
  --save "$out/bn.safetensors" --json > "$out/bn.json"
echo "BatchNorm/GELU/Dropout: test accuracy $(acc "$out/bn.json" test_accuracy)"

echo "== 3. real MNIST: 784-100-10, SGD lr 0.05 momentum 0.9, 10 epochs"
mlp train --data ../shared/data/mnist-t10k --hidden 100 --lr 0.05 --momentum 0.9 --epochs 10 --seed 0 --json > "$out/mnist.json"
echo "accuracy on the last 2000 rows: $(acc "$out/mnist.json" valid_accuracy)"

# The results file: each row's exact mlp arguments, metric and value (README's table shows them rounded to 4 places).
mkdir -p "$(dirname "$results")"
/usr/bin/python3 - "$out" "$results" <<'PY'
import json, statistics, sys
out, path = sys.argv[1], sys.argv[2]
def run(name, args, metric):
    return {"args": args, "metric": metric, "value": json.load(open(f"{out}/{name}.json"))["result"][metric]}
seeds = [run(f"seed{s}", ["--hidden", "100", "--lr", "0.1", "--batch", "64", "--epochs", "5", "--seed", str(s)], "test_accuracy") for s in range(5)]
rows = [
    {"recipe": "784-100-10, SGD lr 0.1, batch 64, 5 epochs, seeds 0-4", "runs": seeds,
     "median": statistics.median(r["value"] for r in seeds), "ci": False},
    {"recipe": "784-256-10, SGD lr 0.05 momentum 0.9 weight decay 5e-4, cosine, batch 64, 20 epochs", "ci": False,
     "runs": [run("recipe", ["--hidden", "256", "--lr", "0.05", "--momentum", "0.9", "--weight-decay", "0.0005", "--schedule", "cosine", "--epochs", "20", "--seed", "0"], "test_accuracy")]},
    {"recipe": "784-256-10, Adam lr 1e-3, cosine, batch 64, 20 epochs", "ci": False,
     "runs": [run("adam", ["--hidden", "256", "--optimizer", "adam", "--lr", "0.001", "--schedule", "cosine", "--epochs", "20", "--seed", "0"], "test_accuracy")]},
    {"recipe": "784-256-BatchNorm1d-GELU-Dropout(0.3)-10, Adam lr 1e-3, cosine, batch 128, 20 epochs", "ci": False,
     "runs": [run("bn", ["--model", "Linear(784, 256) BatchNorm1d(256) GELU() Dropout(0.3) Linear(256, 10)", "--optimizer", "adam", "--lr", "0.001", "--schedule", "cosine", "--batch", "128", "--epochs", "20", "--seed", "0"], "test_accuracy")]},
    {"recipe": "real MNIST (mnist-t10k: first 8000 train, last 2000 test), 784-100-10, SGD lr 0.05 momentum 0.9, 10 epochs", "ci": True,
     "runs": [run("mnist", ["--data", "{mnist-t10k}", "--hidden", "100", "--lr", "0.05", "--momentum", "0.9", "--epochs", "10", "--seed", "0"], "valid_accuracy")]},
]
json.dump({"generated_by": "tools/acceptance_training.sh", "data": "full Fashion-MNIST (train 50000 / valid 10000 / test t10k)", "rows": rows},
          open(path, "w"), indent=2)
open(path, "a").write("\n")
print(f"wrote {path}")
PY

echo "== 4. PyTorch loads the saved model; resume = uninterrupted"
mlp eval --model "$out/fashion.safetensors" --predictions "$out/preds.npz" --rows 10000 --json > "$out/eval.json"
/usr/bin/python3 tools/torch_load_safetensors.py "$out/fashion.safetensors" "$out/preds.npz"
mlp eval --model "$out/bn.safetensors" --predictions "$out/bn-preds.npz" --rows 10000 --json > "$out/bn-eval.json"
/usr/bin/python3 tools/torch_load_safetensors.py "$out/bn.safetensors" "$out/bn-preds.npz"
common=(--hidden 100 --lr 0.1 --momentum 0.5 --epochs 3 --seed 5 --limit 10000)
mlp train "${common[@]}" --save "$out/uninterrupted.safetensors" --json > /dev/null
mlp train "${common[@]}" --epochs 1 --checkpoint "$out/run.ckpt" --json > /dev/null
mlp train --limit 10000 --resume "$out/run.ckpt" --epochs 3 --save "$out/resumed.safetensors" --json > /dev/null
cmp "$out/uninterrupted.safetensors" "$out/resumed.safetensors" && echo "resumed == uninterrupted, byte for byte"
echo "outputs in $out"
