# Shared by the command-line test scripts (sourced): a temporary folder, counters and
# assertions. The script sets `set -u` and sources this file; it ends with `finish`.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# expect CODE CMD...: runs CMD, checks its exit code, keeps its output in $tmp/out, $tmp/err.
expect() {
  local want=$1
  shift
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" -eq "$want" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: '$(printf '%.200s' "$*")' exited $got, want $want"
    head -c 600 "$tmp/out" "$tmp/err"
  fi
}
# ok DESCRIPTION CONDITION...: a plain assertion.
ok() {
  local what=$1
  shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $what"; fi
}
one_line_error() { [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q '^parity: error: ' "$tmp/err"; }
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
