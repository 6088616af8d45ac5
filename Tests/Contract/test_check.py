#!/usr/bin/env python3
"""Self-test of check.py: it must reject what breaks the specs, not only accept what fits them."""
import unittest

import check

SPECS = check.load_specs(check.reference_folder())


def ghl(method, path, status=200, headers=None, body=None, response=None, query=None, form=None):
    exchange = {"service": "ghl", "recordedBy": "test", "method": method, "path": path, "query": query or [],
                "requestHeaders": headers if headers is not None else {"version": "2021-07-28"}, "status": status,
                "responseHeaders": {}}
    if body is not None:
        exchange["requestBody"], exchange["requestBodyType"] = body, "json"
    if form is not None:
        exchange["requestBody"], exchange["requestBodyType"] = form, "form"
    if response is not None:
        exchange["responseBody"] = response
    return exchange


def checks(spec, exchange):
    return sorted({failure[0] for failure in check.check_exchange(SPECS[spec], exchange)})


class CheckTests(unittest.TestCase):
    def test_a_valid_contact_read_passes(self):
        self.assertEqual(checks("ghl", ghl("GET", "/contacts/abc", response={"contact": {"id": "abc", "tags": ["a"]}})), [])

    def test_a_missing_or_wrong_version_header_fails(self):
        self.assertEqual(checks("ghl", ghl("GET", "/contacts/abc", headers={}, response={"contact": {}})), ["missing-parameter"])
        self.assertEqual(checks("ghl", ghl("GET", "/contacts/abc", headers={"version": "2023-02-21"}, response={"contact": {}})),
                         ["parameter-value"])

    def test_a_response_of_the_wrong_shape_fails(self):
        self.assertEqual(checks("ghl", ghl("GET", "/contacts/abc", response={"contact": {"tags": "a"}})), ["response-body"])

    def test_a_literal_path_wins_over_a_template(self):
        exchange = ghl("POST", "/contacts/upsert", body={"locationId": "l1", "email": "a@b.c"},
                       response={"new": True, "contact": {"id": "x"}, "traceId": "t"})
        self.assertEqual(checks("ghl", exchange), [])

    def test_a_request_body_of_the_wrong_shape_fails(self):
        exchange = ghl("POST", "/contacts/x/tags", body={"tags": "vip"}, status=201, response={"tags": ["vip"]})
        self.assertEqual(checks("ghl", exchange), ["request-body"])

    def test_an_undeclared_status_and_an_unknown_operation_fail(self):
        self.assertEqual(checks("ghl", ghl("GET", "/contacts/abc", status=429)), ["undeclared-status"])
        self.assertEqual(checks("ghl", ghl("GET", "/nothing/here")), ["unknown-operation"])

    def test_a_form_body_is_checked_against_the_token_schema(self):
        exchange = ghl("POST", "/oauth/token", headers={}, form={"client_id": "c", "client_secret": "<redacted>",
                       "grant_type": "refresh_token", "refresh_token": "<redacted>"},
                       response={"access_token": "<redacted>", "expires_in": 86399, "userId": "u"})
        self.assertEqual(checks("ghl", exchange), [])
        exchange["requestBody"]["grant_type"] = "password"
        self.assertEqual(checks("ghl", exchange), ["request-body"])

    def test_espo_create_and_list_are_checked(self):
        good = {"service": "espo", "method": "POST", "path": "/Contact", "query": [], "requestHeaders": {},
                "requestBody": {"lastName": "Doe"}, "requestBodyType": "json", "status": 200,
                "responseBody": {"id": "a1", "lastName": "Doe"}}
        self.assertEqual(checks("espo", good), [])
        listing = {"service": "espo", "method": "GET", "path": "/Contact", "requestHeaders": {}, "status": 200,
                   "query": [["maxSize", "200"], ["bogus", "1"]], "responseBody": {"total": 1, "list": []}}
        self.assertEqual(checks("espo", listing), ["unknown-parameter"])

    def test_known_defects_tolerate_only_what_they_name(self):
        defects = {"ghl": [{"operation": "*", "check": "undeclared-status", "status": 429, "why": "w", "facts": "f"}]}
        failure = ("undeclared-status", "GET /contacts/{contactId}", 429, "status 429 is not declared")
        self.assertIsNotNone(check.tolerated(defects, "ghl", failure))
        self.assertIsNone(check.tolerated(defects, "ghl", failure[:2] + (403,) + failure[3:]))
        self.assertIsNone(check.tolerated(defects, "espo", failure))


if __name__ == "__main__":
    unittest.main()
