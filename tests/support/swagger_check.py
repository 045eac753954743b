#!/usr/bin/python3
# File: tests/support/swagger_check.py — checks recorded HTTP exchanges against a Swagger 2.0 file with Debian's
# python3-jsonschema (a well-kept validator, rather than one of our own). Called by swagger_check.cpp.
#
# stdin: {"swagger": PATH, "exchanges": [{"method": "get", "path": "/environments/{name}", "status": 200,
#         "body": <JSON or null>, "label": "..."}]}
# `path` is the swagger's path key (relative to basePath). Each exchange must use a method and status the spec
# lists for that path, and its body must validate against that response's schema (a "type": "string" error
# schema accepts any body: the swagger gives error bodies no shape). stdout: a JSON array of error strings.
import json
import sys

import jsonschema


def check(spec, ex):
    where = f"{ex.get('label', '')} {ex['method'].upper()} {ex['path']} -> {ex['status']}".strip()
    op = spec.get("paths", {}).get(ex["path"], {}).get(ex["method"].lower())
    if op is None:
        return [f"{where}: the spec has no such operation"]
    responses = op.get("responses", {})
    response = responses.get(str(ex["status"]), responses.get("default"))
    if response is None:
        return [f"{where}: status not among the spec's responses {sorted(responses)}"]
    schema = response.get("schema")
    if schema is None or schema.get("type") == "string":
        return []
    full = dict(schema)
    full["definitions"] = spec.get("definitions", {})
    validator = jsonschema.Draft4Validator(full)
    return [f"{where}: {'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}"
            for e in validator.iter_errors(ex.get("body"))]


def main():
    request = json.load(sys.stdin)
    with open(request["swagger"], encoding="utf-8") as f:
        spec = json.load(f)
    errors = []
    for ex in request["exchanges"]:
        errors.extend(check(spec, ex))
    json.dump(errors, sys.stdout)


if __name__ == "__main__":
    main()
