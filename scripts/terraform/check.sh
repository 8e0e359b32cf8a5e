#!/usr/bin/env bash
# Terraform checks, offline: fmt, init + validate (root, every module, every example), terraform test.
# Providers come only from the local mirror (scripts/terraform/cli-config.sh); nothing is fetched.
# Prints one line per step, then `terraform: N passed, N failed` (terraform test runs) last,
# and writes the same counts to .ci/results/terraform.json for CI to add to jest's.
# Exit status: non-zero when any step fails.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo" || exit 1
results_dir="$repo/.ci/results"
mkdir -p "$results_dir"

write_totals() {
  printf '{"passed":%d,"failed":%d}\n' "$1" "$2" >"$results_dir/terraform.json"
  echo "terraform: $1 passed, $2 failed"
}

if ! command -v terraform >/dev/null 2>&1; then
  echo "FAIL terraform CLI not found on PATH (install Terraform >= 1.7; see docs/terraform.md)"
  write_totals 0 1
  exit 1
fi
if ! cfg=$(bash "$repo/scripts/terraform/cli-config.sh"); then
  echo "FAIL no Terraform CLI config: the local provider mirror was not found"
  write_totals 0 1
  exit 1
fi
export TF_CLI_CONFIG_FILE="$cfg" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0

failures=0
t0=$(date +%s)

# run_step NAME DIR CMD... : runs CMD in DIR, prints "ok"/"FAIL" with the time, and the output on failure.
run_step() {
  local name=$1 dir=$2
  shift 2
  local start out rc
  start=$(date +%s)
  out=$(cd "$dir" && "$@" 2>&1)
  rc=$?
  if [ "$rc" -eq 0 ]; then
    printf 'ok   %-50s %3ss\n' "$name" "$(($(date +%s) - start))"
  else
    printf 'FAIL %-50s %3ss\n' "$name" "$(($(date +%s) - start))"
    printf '%s\n' "$out" | sed 's/^/     /'
    failures=$((failures + 1))
  fi
  return "$rc"
}

# Init only when the directory's configuration (module calls, tests) changed since the last init.
init_if_needed() {
  local dir=$1 stamp="$1/.terraform/ghr-init.sha256" sum name
  name=${dir#"$repo"}
  name=${name#/}
  name=${name:-.}
  sum=$( (terraform version -json 2>/dev/null | head -c 200; cat "$cfg"
    find "$dir" \( -name .terraform -o -name node_modules -o -name .git \) -prune -o \
      \( -name '*.tf' -o -name '*.tftest.hcl' \) -type f -print | LC_ALL=C sort | xargs cat) | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
    printf 'ok   %-50s   0s (up to date)\n' "init $name"
    return 0
  fi
  run_step "init $name" "$dir" terraform init -backend=false -input=false -no-color || return 1
  mkdir -p "$dir/.terraform" && echo "$sum" >"$stamp"
}

run_step "fmt -check -recursive" "$repo" terraform fmt -check -recursive -no-color

dirs=("$repo")
for d in "$repo"/modules/*/ "$repo"/examples/*/; do
  [ -d "$d" ] && dirs+=("${d%/}")
done
for dir in "${dirs[@]}"; do
  rel=${dir#"$repo"}
  rel=${rel#/}
  init_if_needed "$dir" && run_step "validate ${rel:-.}" "$dir" terraform validate -no-tests -no-color
done

# terraform test: the root module's tests/ (runs against sub-modules included).
start=$(date +%s)
test_out=$(terraform test -no-color 2>&1)
test_rc=$?
summary=$(printf '%s\n' "$test_out" | grep -E '^(Success|Failure)! [0-9]+ passed, [0-9]+ failed' | tail -1)
if [ -n "$summary" ]; then
  passed=$(sed -E 's/^[A-Za-z]+! ([0-9]+) passed, ([0-9]+) failed.*/\1/' <<<"$summary")
  failed=$(sed -E 's/^[A-Za-z]+! ([0-9]+) passed, ([0-9]+) failed.*/\2/' <<<"$summary")
else
  passed=0
  failed=$(printf '%s\n' "$test_out" | grep -cE '^  run ".*"\.\.\. ' || true)
  [ "$failed" -gt 0 ] || failed=1
fi
[ "$test_rc" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
printf '%s\n' "$test_out" | grep -E '^tests/.*\.\.\. (pass|fail|skip)$' | sed 's/^/     /'
if [ "$test_rc" -eq 0 ]; then
  printf 'ok   %-50s %3ss\n' "test ($passed runs)" "$(($(date +%s) - start))"
else
  printf 'FAIL %-50s %3ss\n' "test" "$(($(date +%s) - start))"
  printf '%s\n' "$test_out" | grep -vE '\.\.\. (pass|in progress|tearing down)$' | sed 's/^/     /'
  failures=$((failures + 1))
fi

echo "terraform checks: $failures failed step(s) in $(($(date +%s) - t0))s"
write_totals "$passed" "$failed"
[ "$failures" -eq 0 ]
