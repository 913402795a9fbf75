#!/usr/bin/env python3
"""Runs cfn-lint on every template of every cloud assembly below the given
folders, each in its own region (read from manifest.json), and fails on any
finding: errors, warnings and informational alike."""
import json
import pathlib
import subprocess
import sys


def main(roots):
    templates = []
    for root in roots:
        for manifest in sorted(pathlib.Path(root).rglob("manifest.json")):
            data = json.loads(manifest.read_text())
            for _name, artifact in sorted(data.get("artifacts", {}).items()):
                if artifact.get("type") != "aws:cloudformation:stack":
                    continue
                region = artifact["environment"].rsplit("/", 1)[-1]
                templates.append((region, manifest.parent / artifact["properties"]["templateFile"]))
    if not templates:
        print("no templates found below", roots)
        return 1
    failed = 0
    by_region = {}
    for region, path in templates:
        by_region.setdefault(region, []).append(str(path))
    for region, paths in sorted(by_region.items()):
        # Informational findings (I...) count too.
        proc = subprocess.run(["cfn-lint", "--regions", region, "--", *paths],
                              capture_output=True, text=True)
        if proc.returncode != 0 or proc.stdout.strip():
            failed += 1
            print(f"cfn-lint findings in {region} (exit {proc.returncode}):")
            print(proc.stdout, proc.stderr)
    print(f"cfn-lint checked {len(templates)} templates in {len(by_region)} regions: "
          f"{'findings' if failed else 'no findings'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
