#!/usr/bin/env bash
# The README's embedding example from an external Maven project that depends on io.fdht:fdht-kernels
# (which brings fdht-layout and nothing else), built and run twice: on the class path and on the
# module path (a module-info.java that requires fdht.kernels). Prints the example's line and how
# fdht.kernels was loaded once per path, and "external project: class path and module path ok" at the end; exits non-zero otherwise.
#   tools/external_project_check.sh             installs layout and kernels first (mvn -DskipTests)
#   tools/external_project_check.sh --installed uses what the local repository already holds (the
#                                               test suite: mvn install has installed both before
#                                               the cli module's tests run); exit status 4 when
#                                               those jars are not the ones this tree built
# Maven runs offline (-o) when FDHT_MVN_OFFLINE=1; exit status 3 means Maven could not resolve the
# external project's plugins or dependencies (ExternalProjectTest then skips, naming the reason).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=tools/jdk.sh
source "$root/tools/jdk.sh"
require_jdk
export PATH="$JAVA_HOME/bin:$PATH"
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"

mvn_args=(-B -q -Dstyle.color=never)
if [[ "${FDHT_MVN_OFFLINE:-0}" == 1 ]]; then mvn_args+=(-o); fi
# the repository's own settings (its local repository, say) apply to the external project too
if [[ -f "$root/.mvn/maven.config" ]]; then read -r -a extra < "$root/.mvn/maven.config"; mvn_args+=("${extra[@]}"); fi

if [[ "${1:-}" != --installed ]]; then
  (cd "$root" && mvn "${mvn_args[@]}" -DskipTests -pl layout,kernels -am install)
fi
version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$root/pom.xml" | head -1)
repo="$HOME/.m2/repository"
for a in "${mvn_args[@]}"; do
  if [[ "$a" == -Dmaven.repo.local=* ]]; then repo="${a#-Dmaven.repo.local=}"; fi
done
for m in layout kernels; do
  built="$root/$m/target/fdht-$m-$version.jar" installed="$repo/io/fdht/fdht-$m/$version/fdht-$m-$version.jar"
  if [[ ! -f "$installed" ]] || { [[ -f "$built" ]] && ! cmp -s "$built" "$installed"; }; then
    echo "external project: $installed is missing or is not $built (run mvn install, or drop --installed)" >&2
    exit 4
  fi
done
model="$root/cli/src/main/resources/fdht/mfm40-fdht-r4.safetensors"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# writes the project into $1; $2 = "module" adds a module-info.java
make_project() {
  local dir=$1 src=$1/src/main/java/example
  mkdir -p "$src"
  cat > "$dir/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId>
  <artifactId>embedding-$2</artifactId>
  <version>1</version>
  <properties>
    <maven.compiler.release>25</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencies>
    <dependency>
      <groupId>io.fdht</groupId>
      <artifactId>fdht-kernels</artifactId>
      <version>$version</version>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <!-- the versions fdht's own build uses, so an offline build finds them -->
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-resources-plugin</artifactId>
        <version>3.3.1</version>
      </plugin>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-compiler-plugin</artifactId>
        <version>3.14.0</version>
      </plugin>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>3.8.1</version>
      </plugin>
    </plugins>
  </build>
</project>
POM
  # the README's example, verbatim but for the model's path (given as the first argument)
  cat > "$src/Main.java" <<'JAVA'
package example;

import fdht.kernels.model.Model;
import fdht.kernels.model.Prediction;
import fdht.kernels.model.Predictor;
import java.nio.file.Path;

public final class Main {
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        try (Model model = Model.load(file);
             Predictor predictor = model.newPredictor()) {
            float[][] clip = new float[8][model.inputSize()];
            for (int t = 0; t < 8; t++)
                for (int y = 18; y < 46; y++) for (int x = 18; x < 46; x++) clip[t][64 * y + x + 2 * t] = 1f;
            Prediction p = predictor.predict(clip);
            System.out.println(p.label() + " " + p.top(3));
        }
        Module m = Model.class.getModule(); // which path fdht was loaded from
        System.out.println("fdht.kernels loaded as " + (m.isNamed() ? "module " + m.getName() : "part of the class path"));
    }
}
JAVA
  if [[ $2 == module ]]; then
    printf 'module example {\n    requires fdht.kernels;\n}\n' > "$dir/src/main/java/module-info.java"
  fi
}

# builds the project in $1 and writes its dependencies' jars, ':'-separated, to $1/deps.txt
build() {
  if ! (cd "$1" && mvn "${mvn_args[@]}" compile dependency:build-classpath -Dmdep.outputFile=deps.txt) >"$1/build.log" 2>&1; then
    cat "$1/build.log" >&2
    if grep -q -E "Cannot access .* in offline mode|Could not resolve|could not be resolved|Plugin .* not found|Failed to read artifact descriptor" "$1/build.log"; then exit 3; fi
    exit 1
  fi
}

make_project "$work/cp" classpath
build "$work/cp"
java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -cp "$work/cp/target/classes:$(cat "$work/cp/deps.txt")" example.Main "$model"

make_project "$work/mp" module
build "$work/mp"
java --add-modules=jdk.incubator.vector --enable-native-access=fdht.layout,fdht.kernels \
  -p "$work/mp/target/classes:$(cat "$work/mp/deps.txt")" -m example/example.Main "$model"

echo "external project: class path and module path ok"
