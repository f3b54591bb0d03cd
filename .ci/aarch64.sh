#!/usr/bin/env bash
# Runs the engine's kernel tests on real aarch64 code generation: Debian's arm64 OpenJDK 17 under
# qemu-aarch64-static emulating a Cortex-A72 (the Raspberry Pi 4's core: 128-bit NEON, no SVE).
# It checks correctness only (emulation is ~30x slower), after the main build compiled the test classes.
#
# The arm64 JDK and its libraries are fetched with `apt-get download` and unpacked with `dpkg -x` into a private
# folder ($SLICE_ARM64_ROOT, default ~/.cache/slice/arm64-jdk17) — never installed: an arm64 openjdk package
# installed system-wide would replace the machine's JDK. Tests to run: $AARCH64_TESTS (Surefire -Dtest syntax).
set -euo pipefail
cd "$(dirname "$0")/.."

root="${SLICE_ARM64_ROOT:-$HOME/.cache/slice/arm64-jdk17}"
# Left out: the GEMM's row spans (billions of multiply-adds, minutes under emulation; a loop order over the same
# micro-kernels, the same code on every platform, run at both widths by the main build).
tests="${AARCH64_TESTS:-SimdTest,slice/engine/kernels/**/*Test,slice/engine/layers/**/*Test,!GemmTest#deepProductsWithALargeCGoInRowSpans,!Im2colTest#rowSpansGiveTheBitsOfTheGatheredColumns}"
jdk="$root/usr/lib/jvm/java-17-openjdk-arm64"
packages="openjdk-17-jre-headless libc6 libgcc-s1 libstdc++6 zlib1g"

if ! command -v qemu-aarch64-static >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static >/dev/null
fi

if [ ! -x "$jdk/bin/java" ]; then
  echo "aarch64: fetching Debian's arm64 OpenJDK 17 into $root"
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    dpkg --add-architecture arm64
  fi
  apt-get update -qq
  debs="$(mktemp -d)"
  (cd "$debs" && apt-get download -qq $(for p in $packages; do echo "$p:arm64"; done))
  rm -rf "$root" && mkdir -p "$root"
  for deb in "$debs"/*.deb; do dpkg -x "$deb" "$root"; done
  rm -rf "$debs"
  # Absolute symlinks (jvm.cfg -> /etc/java-17-openjdk/..., the loader, library aliases) would point into the
  # host's amd64 files: make each one relative, inside the private root.
  find "$root" -type l | while read -r link; do
    target="$(readlink "$link")"
    case "$target" in
      /*) ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$root$target")" "$link" ;;
    esac
  done
fi

# Surefire needs a launcher whose path ends in "bin/java".
wrapper="$root/wrapper/bin/java"
mkdir -p "$(dirname "$wrapper")"
cat > "$wrapper" <<EOF
#!/bin/sh
QEMU_CPU=cortex-a72 exec qemu-aarch64-static -L "$root" "$jdk/bin/java" "\$@"
EOF
chmod +x "$wrapper"

echo "aarch64: $("$wrapper" -version 2>&1 | head -1), qemu $(qemu-aarch64-static --version | head -1 | awk '{print $3}'), QEMU_CPU=cortex-a72"
# The default Surefire execution (vector module on, no forced width): the emulated A72 must report 128-bit
# vectors by itself, which SimdTest asserts through slice.expectedVectorBits.
start=$(date +%s)
mvn -B -ntp -o -pl engine surefire:test@default-test -Djvm="$wrapper" -Dslice.expectedVectorBits=128 \
  -Dtest="$tests" -Dsurefire.failIfNoSpecifiedTests=false
echo "aarch64: kernel tests passed under qemu in $(( $(date +%s) - start )) s"
