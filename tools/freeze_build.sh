#!/usr/bin/env bash
# Freezes the current build for runs of hours (tools/accuracy_runs.sh): copies the command line's
# jar and libraries into DIR, writes DIR/fdht, which runs them with this machine's JDK 25 and the
# flags of ./fdht, and copies the driver to DIR/tools/accuracy_runs.sh, which runs DIR/fdht by
# default (bash reads a script as it runs: a driver must not be edited under it). Later edits,
# merges and rebuilds of the tree do not touch a running frozen copy.
#
#   tools/freeze_build.sh DIR   then   DIR/tools/accuracy_runs.sh --regime full --out RESULTS ...
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
[[ $# -eq 1 ]] || { echo "usage: tools/freeze_build.sh DIR" >&2; exit 2; }
dir="$(mkdir -p "$1" && cd "$1" && pwd)"
"$root/fdht" --version >/dev/null # builds when the sources are newer than the jar
source "$root/tools/jdk.sh" && require_jdk # the JDK ./fdht would use
java="$JAVA_HOME/bin/java"
rm -rf "$dir/lib"
cp "$root/cli/target/fdht-cli.jar" "$dir/"
cp -r "$root/cli/target/lib" "$dir/lib"
{ echo "frozen $(date -u +%FT%TZ) from $root"; git -C "$root" log -1 --format='commit %H' 2>/dev/null || true
  git -C "$root" status --short 2>/dev/null | sed 's/^/uncommitted: /' || true; } > "$dir/VERSION"
cat > "$dir/fdht" <<LAUNCHER
#!/usr/bin/env bash
# fdht frozen by tools/freeze_build.sh (see VERSION beside it)
"$java" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss8m \\
  -cp "$dir/fdht-cli.jar:$dir/lib/*" fdht.cli.Main "\$@" \\
  2> >(grep -v '^WARNING: Using incubator modules: jdk.incubator.vector\$' >&2)
LAUNCHER
chmod +x "$dir/fdht"
mkdir -p "$dir/tools"
cp "$root/tools/accuracy_runs.sh" "$dir/tools/"
echo "frozen build in $dir ($(sed -n 2p "$dir/VERSION")): $dir/fdht, $dir/tools/accuracy_runs.sh (give it --out)"
