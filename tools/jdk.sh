# Finds a JDK >= 25 the same way for ./fdht and the tools/*.sh scripts (sourced, not run):
#   find_jdk     prints the home of the first JDK >= 25 among JAVA_HOME, /usr/lib/jvm, /opt,
#                ~/.sdkman and ~/.jdks, or returns 1
#   require_jdk  exports JAVA_HOME as that JDK, or says where it looked and exits 1
# (`java` on the PATH may well be older: Debian's default is 17.)

java_major() { # prints the feature version of the java binary $1, or 0
  local v
  v=$("$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}') || true
  [[ "$v" =~ ^[0-9]+$ ]] && echo "$v" || echo 0
}

find_jdk() {
  local c
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25* /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
    [[ -n "$c" && -x "$c/bin/java" && -x "$c/bin/javac" ]] || continue
    if (( $(java_major "$c/bin/java") >= 25 )); then echo "$c"; return 0; fi
  done
  return 1
}

require_jdk() {
  local jdk
  if ! jdk=$(find_jdk); then
    echo "fdht: no JDK 25 or newer found (looked at JAVA_HOME='${JAVA_HOME:-}', /usr/lib/jvm, /opt, ~/.sdkman, ~/.jdks)." >&2
    echo "fdht: install one (for example Temurin 25) and set JAVA_HOME to it." >&2
    exit 1
  fi
  export JAVA_HOME="$jdk"
}
