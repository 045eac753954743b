# File: scripts/ccache_env.sh — sourced by scripts/test.sh and scripts/package.sh: sets `launcher` to the cmake
# argument that compiles through ccache when it is installed (empty otherwise).
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  # Hits across clones in other folders (CI clones into a new temporary folder every run).
  export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
fi
