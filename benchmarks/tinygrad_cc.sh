#!/bin/sh
# A C compiler for tinygrad's CPU device, used as CC=benchmarks/tinygrad_cc.sh.
# tinygrad's CPU backend calls `clang ... --target=x86_64-none-unknown-elf`; these machines have only gcc.
# The `ziglang` package (pip) ships a clang: run it as `python -m ziglang cc`, with the target spelled the
# way zig wants it (x86_64-freestanding-none) and without debug info.
PY="${TINYGRAD_CC_PYTHON:-python3}"
args=""
for a in "$@"; do
  case "$a" in
    --target=*-none-unknown-elf)
      arch="${a#--target=}"; arch="${arch%-none-unknown-elf}"
      set -- "$@" -target "${arch}-freestanding-none" ;;
    *) set -- "$@" "$a" ;;
  esac
  shift
done
exec "$PY" -m ziglang cc -g0 "$@"
