# Sourced by ./keep and .ci/run: make sure JAVA_HOME points at a JDK 25 or newer.
# Keeps a JAVA_HOME that is already 25+, else takes `java` on PATH if it is 25+, else the newest
# JDK 25+ under /usr/lib/jvm (where Debian and Temurin packages install), else fails clearly.
keep_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}
keep_select_jdk() {
  local candidate major
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    major=$(keep_java_major "$JAVA_HOME")
    if [ "${major:-0}" -ge 25 ]; then return 0; fi
  fi
  if command -v java >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    major=$(keep_java_major "$candidate")
    if [ "${major:-0}" -ge 25 ]; then export JAVA_HOME="$candidate"; return 0; fi
  fi
  for candidate in $(ls -d /usr/lib/jvm/* /opt/java/* /opt/jdk* 2>/dev/null | sort -rV); do
    [ -x "$candidate/bin/javac" ] || continue
    major=$(keep_java_major "$candidate")
    if [ "${major:-0}" -ge 25 ]; then export JAVA_HOME="$candidate"; return 0; fi
  done
  echo "keep: no JDK 25 found. Install one (e.g. Temurin 25) and set JAVA_HOME to it." >&2
  return 1
}
keep_select_jdk
export PATH="$JAVA_HOME/bin:$PATH"
