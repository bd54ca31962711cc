#!/bin/sh
# dist-musl-src.sh ARCH PREFIX: musl for an architecture Debian 12 has no
# musl-dev package for (riscv64 is not one of its architectures), built the
# way debian/rules builds the musl-dev packages for the others: from
# Debian's musl source package (apt-get source, checked against the signed
# Sources index), at the version of the installed musl-dev, with the cross
# gcc and dpkg-buildflags' flags. Installs the static library, the headers,
# the specs file and a <triple>-gcc wrapper into PREFIX in Debian's layout
# (PREFIX/lib/<triple>, PREFIX/include/<triple>, PREFIX/bin/<triple>-gcc),
# and PREFIX/lib/<triple>/debian-source: the source package's name,
# version and the sha256 of its .dsc, for the bill of materials.
# Does nothing when that version is installed already.
set -eu
arch=$1 prefix=$2
case $arch in
riscv64) gnu=riscv64-linux-gnu triple=riscv64-linux-musl ;;
*) echo "dist-musl-src: no recipe for $arch (it has a musl-dev package)" >&2; exit 1 ;;
esac
version=$(dpkg-query -W -f='${Version}' "musl-dev:$(dpkg --print-architecture)")
libdir=$prefix/lib/$triple
if [ -f "$libdir/libc.a" ] && grep -q "^musl $version " "$libdir/debian-source" 2>/dev/null; then
	echo "dist-musl-src: musl $version for $arch installed in $prefix"
	exit 0
fi
command -v "$gnu-gcc" >/dev/null || { echo "dist-musl-src: no $gnu-gcc" >&2; exit 1; }

tmp=$(mktemp -d /tmp/musl-src.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# deb-src lines for the archives apt already uses, in a private apt
# configuration: the machine's own sources stay as they are.
mkdir -p "$tmp/apt/parts" "$tmp/apt/lists/partial"
if [ -f /etc/apt/sources.list ]; then
	sed -n 's/^deb[[:space:]]/deb-src /p' /etc/apt/sources.list > "$tmp/apt/sources.list"
else
	: > "$tmp/apt/sources.list"
fi
for f in /etc/apt/sources.list.d/*.list; do
	[ -f "$f" ] && sed -n 's/^deb[[:space:]]/deb-src /p' "$f" > "$tmp/apt/parts/${f##*/}"
done
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] && sed 's/^Types:.*/Types: deb-src/' "$f" > "$tmp/apt/parts/${f##*/}"
done
apt_src() {
	apt-get -q -o Dir::Etc::SourceList="$tmp/apt/sources.list" \
		-o Dir::Etc::SourceParts="$tmp/apt/parts" -o Dir::State::Lists="$tmp/apt/lists" \
		-o Debug::NoLocking=1 -o APT::Sandbox::User=root "$@"
}
apt_src update >/dev/null
(cd "$tmp" && apt_src source "musl=$version" >/dev/null)
src=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d -name 'musl-*' | head -n 1)
dsc=$(find "$tmp" -mindepth 1 -maxdepth 1 -name "musl_*.dsc" | head -n 1)
if [ -z "$src" ] || [ -z "$dsc" ]; then
	echo "dist-musl-src: apt-get source musl=$version gave nothing" >&2
	exit 1
fi

# As debian/rules: Debian's hardening flags, the gcc wrapper (its fts
# addition is left out: gosu does not use it).
cd "$src"
flags=$(DEB_HOST_ARCH=$arch DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get CFLAGS)
# Only the static library: nothing goes into /lib.
# musl's own compiler warnings go to a log, shown if the build fails.
if ! { CROSS_COMPILE=$gnu- CFLAGS="$flags" ./configure --host="$gnu" --prefix="$prefix" \
	--libdir="$libdir" --includedir="$prefix/include/$triple" --bindir="$tmp/bin" \
	--enable-gcc-wrapper=yes --enable-debug --disable-shared &&
	make -s -j"$(nproc)" && make -s install; } > "$tmp/build.log" 2>&1; then
	cat "$tmp/build.log" >&2
	echo "dist-musl-src: building musl $version for $arch failed" >&2
	exit 1
fi
mkdir -p "$prefix/bin"
sed "s/\${REALGCC:-[^}]*}/\${REALGCC:-$gnu-gcc}/" "$tmp/bin/musl-gcc" > "$prefix/bin/$triple-gcc.tmp"
grep -q "$gnu-gcc" "$prefix/bin/$triple-gcc.tmp" || {
	echo "dist-musl-src: unexpected musl-gcc wrapper:" >&2
	cat "$tmp/bin/musl-gcc" >&2
	exit 1
}
chmod 0755 "$prefix/bin/$triple-gcc.tmp"
mv "$prefix/bin/$triple-gcc.tmp" "$prefix/bin/$triple-gcc"
echo "musl $version $(sha256sum < "$dsc" | cut -d' ' -f1)" > "$libdir/debian-source"
echo "dist-musl-src: musl $version for $arch built from Debian's source package, in $prefix"
