#!/usr/bin/env python3
"""Checks recorded API exchanges against the official OpenAPI specs of GHL and EspoCRM.

Usage: check.py [--expect SERVICE]... DIR

DIR holds JSON-lines files written by the tests (one exchange per line, see
Sources/Transport/Exchange.swift). For every exchange of service `ghl` or `espo` the checker verifies:
  - unknown-operation:  the method and path match an operation of the spec;
  - missing-parameter:  every required path, query and header parameter is present;
  - unknown-parameter:  every query parameter sent is declared (bracket names count by their base);
  - parameter-value:    header and query values are in the declared enum;
  - request-body:       the body matches the operation's request schema for its content type,
                        and a required body is present;
  - unexpected-body:    no body is sent where the operation declares none;
  - undeclared-status:  the answer's status is declared by the operation;
  - response-body:      the answer's JSON body matches the schema declared for that status.
Known defects of the specs are tolerated only where Tests/Contract/known-defects.json lists them,
each with the FACTS.md passage that justifies it. Exits 1 on any other failure, on an exchange of a
service listed with --expect that never appears, and on a known-defect entry that is malformed.
"""
import argparse
import glob
import json
import os
import re
import sys
from pathlib import Path

from jsonschema.exceptions import best_match
from openapi_schema_validator import OAS30Validator, OAS31Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT202012

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent


def reference_folder():
    """The folder holding the official specs: $API_REFERENCE_DIR, else ../shared/reference."""
    candidates = [os.environ.get("API_REFERENCE_DIR"), REPO.parent / "shared" / "reference",
                  Path("/work/shared/reference")]
    for candidate in candidates:
        if candidate and (Path(candidate) / "ghl" / "apps" / "contacts.json").is_file():
            return Path(candidate)
    sys.exit("contract check: the official specs were not found; set API_REFERENCE_DIR to the folder "
             "holding ghl/apps/*.json and espocrm/spec.json (looked in: "
             + ", ".join(str(c) for c in candidates if c) + ")")


class Spec:
    """One service's operations, with a registry that resolves every $ref."""

    def __init__(self, name, files, validator, draft):
        self.name = name
        self.validator = validator
        resources = []
        self.operations = []  # (method, template, regex, literal_segments, uri, pointer, op, path_item)
        for path in files:
            contents = json.loads(path.read_text())
            uri = path.resolve().as_uri()
            resources.append((uri, Resource.from_contents(contents, default_specification=draft)))
            for template, item in contents.get("paths", {}).items():
                for method, op in item.items():
                    if method.upper() not in {"GET", "POST", "PUT", "PATCH", "DELETE"}:
                        continue
                    regex = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")
                    literal = len([s for s in template.split("/") if s and not s.startswith("{")])
                    pointer = "/paths/" + escape(template) + "/" + method
                    self.operations.append((method.upper(), template, regex, literal, uri, pointer, op, item, contents))
        # The common GHL schemas are referenced relatively; register every JSON file of the folders too.
        self.registry = Registry().with_resources(resources)

    def find(self, method, path):
        matches = [o for o in self.operations if o[0] == method and o[2].match(path)]
        if not matches:
            return None
        return max(matches, key=lambda o: o[3])

    def resolve(self, node, contents):
        """Resolves a local $ref (parameters, request bodies) inside the same document."""
        seen = 0
        while isinstance(node, dict) and "$ref" in node and node["$ref"].startswith("#/") and seen < 10:
            target = contents
            for part in node["$ref"][2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
            seen += 1
        return node

    def validate(self, uri, pointer, instance):
        """Errors of `instance` against the schema at uri#pointer, best first."""
        validator = self.validator({"$ref": uri + "#" + pointer}, registry=self.registry)
        errors = list(validator.iter_errors(instance))
        if not errors:
            return None
        error = best_match(errors)
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        return f"at {where}: {error.message[:300]}"


def escape(segment):
    return segment.replace("~", "~0").replace("/", "~1")


def load_specs(reference):
    ghl_files = sorted((reference / "ghl" / "apps").glob("*.json")) + sorted((reference / "ghl" / "common").glob("*.json"))
    return {
        "ghl": Spec("ghl", ghl_files, OAS30Validator, DRAFT4),
        "espo": Spec("espo", [reference / "espocrm" / "spec.json"], OAS31Validator, DRAFT202012),
    }


def coerce(value, schema):
    """A query/header/form string read as the type its schema declares, so the schema can check it."""
    kind = (schema or {}).get("type")
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
        if kind == "boolean" and value in ("true", "false"):
            return value == "true"
    except ValueError:
        pass
    return value


def check_exchange(spec, exchange):
    """The failures of one exchange, as (check, operation, status, message)."""
    failures = []
    method, path = exchange["method"], exchange["path"]
    found = spec.find(method, path)
    if found is None:
        return [("unknown-operation", f"{method} {path}", exchange["status"], "no operation of the spec matches")]
    _, template, _, _, uri, pointer, op, item, contents = found
    name = f"{method} {template}"
    status = exchange["status"]

    def fail(check, message):
        failures.append((check, name, status, message))

    parameters = [spec.resolve(p, contents) for p in item.get("parameters", []) + op.get("parameters", [])]
    query = exchange.get("query", [])
    query_names = {re.sub(r"\[.*$", "", n) for n, _ in query}
    headers = {k.lower(): v for k, v in exchange.get("requestHeaders", {}).items()}
    declared_query = set()
    for parameter in parameters:
        where, pname = parameter.get("in"), parameter.get("name")
        schema = spec.resolve(parameter.get("schema", {}), contents)
        if where == "query":
            declared_query.add(pname)
            values = [v for n, v in query if n == pname]
            if parameter.get("required") and pname not in query_names:
                fail("missing-parameter", f"query parameter `{pname}` is required")
            for value in values:
                if "enum" in schema and coerce(value, schema) not in schema["enum"]:
                    fail("parameter-value", f"query `{pname}`={value!r} is not one of {schema['enum']}")
        elif where == "header":
            value = headers.get(pname.lower())
            if value is None and parameter.get("required"):
                fail("missing-parameter", f"header `{pname}` is required")
            if value is not None and "enum" in schema and value not in schema["enum"]:
                fail("parameter-value", f"header `{pname}`={value!r} is not one of {schema['enum']}")
    for qname in sorted(query_names - declared_query):
        fail("unknown-parameter", f"query parameter `{qname}` is not declared")

    body_type = exchange.get("requestBodyType")
    declared_body = spec.resolve(op.get("requestBody"), contents)
    if body_type is None:
        if declared_body and declared_body.get("required"):
            fail("request-body", "the operation requires a body and none was sent")
    elif not declared_body:
        fail("unexpected-body", "a body was sent but the operation declares none")
    else:
        content_type = "application/json" if body_type == "json" else "application/x-www-form-urlencoded"
        content = declared_body.get("content", {})
        if content_type not in content:
            fail("request-body", f"the operation takes {sorted(content)}, not {content_type}")
        elif "schema" in content[content_type]:
            body = exchange.get("requestBody")
            if body_type == "form":
                schema = spec.resolve(content[content_type]["schema"], contents)
                props = spec.resolve(schema, contents).get("properties", {})
                body = {k: coerce(v, spec.resolve(props.get(k, {}), contents)) for k, v in body.items()}
            ptr = f"{pointer}/requestBody/content/{escape(content_type)}/schema"
            if "$ref" in op.get("requestBody", {}):
                ref = op["requestBody"]["$ref"]
                ptr = ref[1:] + f"/content/{escape(content_type)}/schema"
            problem = spec.validate(uri, ptr, body)
            if problem:
                fail("request-body", problem)

    responses = op.get("responses", {})
    key = str(status) if str(status) in responses else f"{str(status)[0]}XX" if f"{str(status)[0]}XX" in responses else "default" if "default" in responses else None
    if key is None:
        fail("undeclared-status", f"status {status} is not declared (declared: {sorted(responses)})")
        return failures
    response = spec.resolve(responses[key], contents)
    content = response.get("content", {})
    has_body = "responseBody" in exchange or "responseText" in exchange
    json_content = next((c for c in content if "json" in c), None)
    if json_content and "schema" in content[json_content]:
        if "responseBody" not in exchange:
            fail("response-body", "the spec declares a JSON body; the answer had none or it was not JSON")
        else:
            ptr = f"{pointer}/responses/{key}/content/{escape(json_content)}/schema"
            if "$ref" in responses[key]:
                ptr = responses[key]["$ref"][1:] + f"/content/{escape(json_content)}/schema"
            problem = spec.validate(uri, ptr, exchange["responseBody"])
            if problem:
                fail("response-body", problem)
    elif has_body and not content:
        fail("response-body", "the spec declares no body for this status, but one was returned")
    return failures


def load_defects():
    path = HERE / "known-defects.json"
    defects = json.loads(path.read_text())
    problems = []
    for service, entries in defects.items():
        if service.startswith("_"):
            continue
        for index, entry in enumerate(entries):
            for key in ("operation", "check", "why", "facts"):
                if not entry.get(key):
                    problems.append(f"{path.name}: {service}[{index}] lacks `{key}`")
    return defects, problems


def operation_matches(pattern, operation):
    """Whether a known-defect `operation` covers a failure's: `*`, the same text, or a template such as
    `GET /Note/{id}` matching an unknown operation's concrete path (`GET /Note/65a0…`)."""
    if pattern == "*" or pattern == operation:
        return True
    regex = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(pattern)) + "$"
    return re.match(regex, operation) is not None


def tolerated(defects, service, failure):
    check, operation, status, message = failure
    for entry in defects.get(service, []):
        if entry["check"] != check:
            continue
        if not operation_matches(entry["operation"], operation):
            continue
        if "status" in entry and entry["status"] != status:
            continue
        if "contains" in entry and entry["contains"] not in message:
            continue
        return entry
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--expect", action="append", default=[], help="a service that must have exchanges")
    args = parser.parse_args()

    specs = load_specs(reference_folder())
    defects, problems = load_defects()
    counts, operations, failures, used = {}, {}, {}, set()
    files = sorted(glob.glob(os.path.join(args.folder, "*.jsonl")))
    for file in files:
        with open(file) as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                exchange = json.loads(line)
                service = exchange.get("service")
                if service not in specs:
                    continue
                counts[service] = counts.get(service, 0) + 1
                for failure in check_exchange(specs[service], exchange):
                    entry = tolerated(defects, service, failure)
                    if entry is not None:
                        used.add(id(entry))
                        continue
                    key = (service,) + failure[:3] + (failure[3][:160],)
                    failures.setdefault(key, (f"{os.path.basename(file)}:{number}", exchange.get("recordedBy"), 0))
                    where, who, seen = failures[key]
                    failures[key] = (where, who, seen + 1)
                found = specs[service].find(exchange["method"], exchange["path"])
                if found:
                    operations.setdefault(service, set()).add(f"{found[0]} {found[1]}")

    for service in args.expect:
        if not counts.get(service):
            problems.append(f"no `{service}` exchange was recorded in {args.folder}")
    for service in sorted(counts):
        print(f"contract check: {counts[service]} {service} exchanges, {len(operations.get(service, ()))} operations")
    unused = [f"{s}: {e['check']} {e['operation']}" for s, entries in defects.items() if not s.startswith("_")
              for e in entries if id(e) not in used]
    for entry in unused:
        print(f"contract check: note: known defect not seen in this run: {entry}")
    for (service, check, operation, status, message), (where, who, seen) in sorted(failures.items()):
        print(f"FAIL {service} {operation} → {status} [{check}] {message} ({seen}×, first at {where}, recorded by {who})")
    for problem in problems:
        print(f"FAIL {problem}")
    if failures or problems:
        sys.exit(1)
    print("contract check: passed")


if __name__ == "__main__":
    main()
