"""dist-sbom.py ARCH BINARY LINKTRACE: the bill of materials of one release
binary, SPDX 2.3 JSON on stdout, from facts only: the binary's hashes, its
version line, and for every file the linker put into it (LINKTRACE, the
output of ld --trace) the Debian package dpkg says it came from, with that
package's version; a file no package owns must sit beside a debian-source
record written by scripts/dist-musl-src.sh (musl built from Debian's
source package). The time is SOURCE_DATE_EPOCH's, so the same sources give
the same bytes.

dist-sbom.py --check ARCH BINARY LINKTRACE SBOM: SBOM is what those facts
give now, it holds the binary's hashes, and it lists musl where the
version line says musl."""

import hashlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def dpkg_owner(path):
    """The package owning path, by its name as installed or its real path."""
    for p in dict.fromkeys([os.path.normpath(path), os.path.realpath(path)]):
        r = subprocess.run(["dpkg-query", "-S", p], capture_output=True, text=True)
        if r.returncode == 0:
            return r.stdout.splitlines()[0].split(": ", 1)[0]
    return None


def dpkg_fields(pkg):
    fmt = "${Package}\t${Architecture}\t${Version}\t${source:Package}\t${source:Version}"
    out = subprocess.run(["dpkg-query", "-W", "-f", fmt, pkg], capture_output=True,
                         text=True, check=True).stdout
    name, arch, version, src, srcversion = out.split("\t")
    return name, arch, version, src, srcversion


def copyright_licence(name):
    """The licence of a machine-readable Debian copyright file's first stanza."""
    f = Path("/usr/share/doc") / name / "copyright"
    try:
        text = f.read_text(errors="replace")
    except OSError:
        return "NOASSERTION"
    if not text.startswith("Format: "):
        return "NOASSERTION"
    m = re.search(r"^License: *([A-Za-z0-9.+-]+) *$", text, re.M)
    return m.group(1) if m else "NOASSERTION"


def spdx_id(text):
    return "SPDXRef-" + re.sub(r"[^A-Za-z0-9.-]", "-", text)


def distro():
    fields = dict(line.split("=", 1) for line in
                  Path("/etc/os-release").read_text().splitlines() if "=" in line)
    return f"{fields.get('ID', 'linux').strip(chr(34))}-{fields.get('VERSION_ID', '').strip(chr(34))}"


def upstream(version):
    """1.2.3-1 -> 1.2.3 (no epoch, no Debian revision)."""
    return re.sub(r"-[^-]*$", "", version.split(":", 1)[-1])


def components(trace):
    """The Debian packages (or source builds) of the linked files not ours."""
    found = {}
    for line in Path(trace).read_text().splitlines():
        path = line.strip()
        if not path.startswith("/"):
            continue  # the project's own objects, named relative to the tree
        pkg = dpkg_owner(path)
        if pkg:
            found.setdefault(("deb", pkg), []).append(path)
            continue
        record = Path(path).parent / "debian-source"
        if not record.is_file():
            sys.exit(f"dist-sbom: {path} belongs to no package and has no {record.name} record")
        found.setdefault(("src", str(record)), []).append(path)
    return found


def package(kind, key, arch, dist):
    if kind == "deb":
        name, pkgarch, version, src, srcversion = dpkg_fields(key)
        src, srcversion = src or name, srcversion or version
        pkg = {
            "name": name,
            "SPDXID": spdx_id(f"Package-{name}"),
            "versionInfo": version,
            "supplier": "Organization: Debian",
            "downloadLocation": "NOASSERTION",
            "filesAnalyzed": False,
            "sourceInfo": f"Debian source package {src} {srcversion}",
            "licenseConcluded": "NOASSERTION",
            "licenseDeclared": copyright_licence(name),
            "copyrightText": "NOASSERTION",
            "externalRefs": [{
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": f"pkg:deb/debian/{name}@{version}?arch={pkgarch}&distro={dist}",
            }],
        }
    else:
        src, srcversion, dsc_sha256 = Path(key).read_text().split()
        pkg = {
            "name": src,
            "SPDXID": spdx_id(f"Package-{src}-{arch}-from-source"),
            "versionInfo": srcversion,
            "supplier": "Organization: Debian",
            "downloadLocation": "NOASSERTION",
            "filesAnalyzed": False,
            "sourceInfo": f"built for {arch} from Debian source package {src} {srcversion}"
                          f" (.dsc sha256 {dsc_sha256})",
            "licenseConcluded": "NOASSERTION",
            "licenseDeclared": "NOASSERTION",
            "copyrightText": "NOASSERTION",
            "externalRefs": [{
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": f"pkg:deb/debian/{src}@{srcversion}?arch=source&distro={dist}",
            }],
        }
    if src == "musl":
        pkg["externalRefs"].append({
            "referenceCategory": "SECURITY",
            "referenceType": "cpe23Type",
            "referenceLocator": f"cpe:2.3:a:musl-libc:musl:{upstream(srcversion)}:*:*:*:*:*:*:*",
        })
    return pkg


def sbom(arch, binary, trace):
    data = Path(binary).read_bytes()
    m = re.search(rb'#define GOSU_VERSION "([^"]+)"', (ROOT / "src/version.h").read_bytes())
    version = m.group(1).decode()
    libc = re.search(rb"\(gcc [0-9.]+ on linux/" + arch.encode() + rb"; (musl|glibc)\)", data)
    if not libc:
        sys.exit(f"dist-sbom: no version line for {arch} in {binary}")
    sha256 = hashlib.sha256(data).hexdigest()
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    dist = distro()
    name = Path(binary).name

    gosu = {
        "name": "gosu",
        "SPDXID": "SPDXRef-Package-gosu",
        "versionInfo": version,
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": False,
        "primaryPackagePurpose": "APPLICATION",
        "checksums": [{"algorithm": "SHA256", "checksumValue": sha256}],
        "licenseConcluded": "NOASSERTION",
        "licenseDeclared": "Apache-2.0",
        "copyrightText": "NOASSERTION",
        "comment": f"linux/{arch}, static, {libc.group(1).decode()}",
    }
    file = {
        "fileName": f"./{name}",
        "SPDXID": spdx_id(f"File-{name}"),
        "checksums": [
            {"algorithm": "SHA1", "checksumValue": hashlib.sha1(data).hexdigest()},
            {"algorithm": "SHA256", "checksumValue": sha256},
        ],
        "licenseConcluded": "NOASSERTION",
        "copyrightText": "NOASSERTION",
    }
    deps = [package(kind, key, arch, dist)
            for kind, key in sorted(components(trace))]
    rels = [
        {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",
         "relatedSpdxElement": gosu["SPDXID"]},
        {"spdxElementId": gosu["SPDXID"], "relationshipType": "CONTAINS",
         "relatedSpdxElement": file["SPDXID"]},
    ] + [
        {"spdxElementId": file["SPDXID"], "relationshipType": "STATIC_LINK",
         "relatedSpdxElement": d["SPDXID"]} for d in deps
    ]
    doc = {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": f"{name}-{version}",
        "documentNamespace": f"https://spdx.org/spdxdocs/{name}-{version}-{sha256}",
        "creationInfo": {
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch)),
            "creators": ["Tool: gosu-dist-sbom"],
        },
        "packages": [gosu] + deps,
        "files": [file],
        "relationships": rels,
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def check(arch, binary, trace, path):
    text = Path(path).read_text()
    if text != sbom(arch, binary, trace):
        sys.exit(f"dist-sbom: {path} is not what {binary} and its link give now")
    doc = json.loads(text)
    data = Path(binary).read_bytes()
    want = {"SHA1": hashlib.sha1(data).hexdigest(), "SHA256": hashlib.sha256(data).hexdigest()}
    got = {c["algorithm"]: c["checksumValue"] for c in doc["files"][0]["checksums"]}
    if doc["spdxVersion"] != "SPDX-2.3" or got != want:
        sys.exit(f"dist-sbom: {path}: not SPDX 2.3 with the hashes of {binary}")
    musl = [p for p in doc["packages"] if "musl" in p.get("sourceInfo", "")]
    if (b"; musl)" in data) != bool(musl):
        sys.exit(f"dist-sbom: {path}: musl listed {bool(musl)}, linked {not musl}")


if sys.argv[1] == "--check":
    check(*sys.argv[2:6])
else:
    sys.stdout.write(sbom(*sys.argv[1:4]))
