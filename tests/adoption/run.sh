#!/usr/bin/env bash
# Tries the ways a team adopts kpi, as they would meet them:
#  - the pre-commit hooks (.pre-commit-hooks.yaml), with the `pre-commit` tool
#    from PyPI, on a temporary git repository (`pre-commit try-repo`);
#  - the GitHub action (action.yml), its steps run as a script, as a runner
#    would run them, with its inputs' defaults.
# Usage: tests/adoption/run.sh  (from anywhere; needs cargo, git, python3)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export NO_COLOR=1

# kpi on PATH, as the `-system` hooks and the action's later steps expect.
cargo build --quiet --locked --manifest-path "$root/Cargo.toml"
mkdir -p "$work/bin"
ln -s "$root/target/debug/kpi" "$work/bin/kpi"
export PATH="$work/bin:$PATH"

fail() { echo "adoption: $*" >&2; exit 1; }

# ------------------------------------------------------------------ pre-commit
if ! command -v pre-commit > /dev/null; then
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install --quiet pre-commit
  export PATH="$work/venv/bin:$PATH"
fi
# Every hook id of the file: the rust ones and the system ones agree.
python3 - "$root/.pre-commit-hooks.yaml" <<'PY'
import sys, yaml
hooks = {h["id"]: h for h in yaml.safe_load(open(sys.argv[1]))}
for name in ("kpi-check", "kpi-fmt", "kpi-test"):
    rust, system = hooks[name], hooks[name + "-system"]
    assert rust["language"] == "rust" and system["language"] == "system", name
    for key in ("entry", "files"):
        assert rust[key] == system[key], (name, key)
PY

repo="$work/team"
mkdir -p "$repo/policies"
git -C "$repo" init --quiet
cp "$root/policies/foreign_trade_sales.kpi" "$repo/policies/"
sed 's/weight 15% {/weight 10% {/' "$root/policies/operations_director.kpi" > "$repo/policies/broken.kpi"
git -C "$repo" add .
cd "$repo"
try() { pre-commit try-repo "$root" "$@" 2>&1; }

out=$(try kpi-check-system --files policies/foreign_trade_sales.kpi) || fail "kpi-check failed on a clean policy: $out"
grep -q "^kpi check.*Passed" <<< "$out" || fail "kpi-check did not pass: $out"
if out=$(try kpi-check-system --files policies/broken.kpi); then fail "kpi-check passed a broken policy: $out"; fi
grep -q "kpi::weights::sum" <<< "$out" || fail "kpi-check did not name the mistake: $out"
out=$(try kpi-test-system --files policies/foreign_trade_sales.kpi) || fail "kpi-test failed: $out"
# kpi fmt rewrites a policy out of layout, and the commit stops.
sed 's/^  input 成交额     money/  input 成交额 money/' "$root/policies/foreign_trade_sales.kpi" > policies/foreign_trade_sales.kpi
if out=$(try kpi-fmt-system --files policies/foreign_trade_sales.kpi); then fail "kpi-fmt let an unformatted policy through: $out"; fi
grep -q "files were modified by this hook" <<< "$out" || fail "kpi-fmt did not rewrite: $out"
cmp -s policies/foreign_trade_sales.kpi "$root/policies/foreign_trade_sales.kpi" || fail "kpi-fmt did not restore the layout"
echo "adoption: pre-commit hooks kpi-check, kpi-test and kpi-fmt behave"

# ------------------------------------------------------------------ the action
# Each step's `run`, with ${{ inputs.* }} at their defaults, in order; a step
# whose `if` is false is skipped. The install step builds into the same
# target folder, as a debug build, to stay fast here.
python3 - "$root/action.yml" > "$work/steps.sh" <<'PY'
import re, sys, yaml
action = yaml.safe_load(open(sys.argv[1]))
inputs = {k: str(v.get("default", "")) for k, v in action["inputs"].items()}
print("set -euo pipefail")
for step in action["runs"]["steps"]:
    cond = step.get("if")
    if cond:
        m = re.fullmatch(r"inputs\.(\w+) == '(\w+)'", cond.strip())
        assert m, cond
        if inputs[m.group(1)] != m.group(2):
            continue
    run = re.sub(r"\$\{\{\s*inputs\.(\w+)\s*\}\}", lambda m: inputs[m.group(1)], step["run"])
    assert "${{" not in run, run
    print(f"echo '== {step['name']}'")
    print(run)
PY
run_action() {
  (cd "$1" && GITHUB_ACTION_PATH="$root" CARGO_INSTALL_ROOT="$work/installed" \
    CARGO_TARGET_DIR="$root/target" KPI_INSTALL_FLAGS=--debug \
    PATH="$work/installed/bin:$PATH" bash "$work/steps.sh" 2>&1)
}
good="$work/good"; mkdir -p "$good/policies"; cp "$root"/policies/*.kpi "$good/policies/"
out=$(run_action "$good") || fail "the action failed on the bundled policies: $out"
[ -x "$work/installed/bin/kpi" ] || fail "the action's install step installed no kpi"
bad="$work/bad"; mkdir -p "$bad/policies"; cp "$repo/policies/broken.kpi" "$bad/policies/"
if out=$(run_action "$bad"); then fail "the action passed a broken policy: $out"; fi
grep -q "^::error file=policies/broken.kpi,line=" <<< "$out" || fail "no GitHub annotation: $out"
echo "adoption: the GitHub action installs kpi, passes good policies and annotates a broken one"
