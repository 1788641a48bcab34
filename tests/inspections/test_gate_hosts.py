"""Host names as the access gate keys them."""

from __future__ import annotations

import pytest

from inspections.gate.hosts import covering_hosts, normalise_host


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("example.com", "example.com"),
        ("WWW.Example.COM", "www.example.com"),
        ("www.example.com.", "www.example.com"),
        ("www.example.com:8080", "www.example.com"),
        ("www.example.com.:443", "www.example.com"),
        ("  shop.example.com  ", "shop.example.com"),
        ("例子.中国", "xn--fsqu00a.xn--fiqs8s"),
        ("例子。中国", "xn--fsqu00a.xn--fiqs8s"),
        ("Bücher.example", "xn--bcher-kva.example"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("192.0.2.1:80", "192.0.2.1"),
        ("[2001:DB8::1]:443", "2001:db8::1"),
    ],
)
def test_hosts_are_normalised_to_lower_case_idna_without_port_or_final_dot(value, expected):
    # GIVEN a host as a browser or nginx may send it
    # WHEN the gate normalises it
    # THEN it gets the one form decisions are stored under
    assert normalise_host(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("a..example.com", "empty label"),
        ("example.com:http", "port"),
        ("exa mple.com", "space"),
        ("example.com/path", "'/'"),
        ("user@example.com", "'@'"),
        ("-bad.example.com", "letters, digits"),
        ("under_score.example.com", "letters, digits"),
        ("a" * 64 + ".com", "at most 63"),
        (".".join(["abcdefghi"] * 26), "longer than 253"),
        ("[::1", "unclosed"),
        ("☃\u200d.example", "internationalised"),
    ],
)
def test_bad_hosts_are_refused_with_a_message_saying_why(value, message):
    # GIVEN a value that is no host name
    # WHEN the gate normalises it
    # THEN it refuses with a message naming the problem
    with pytest.raises(ValueError, match=message):
        normalise_host(value)


def test_a_host_is_covered_by_itself_and_its_parent_names_most_specific_first():
    # GIVEN a subdomain, a registrable name and an address
    # WHEN the gate lists the names whose decisions cover them
    # THEN a filing for example.com covers its subdomains, and an address only itself
    assert covering_hosts("a.shop.example.com") == [
        "a.shop.example.com",
        "shop.example.com",
        "example.com",
    ]
    assert covering_hosts("example.com") == ["example.com"]
    assert covering_hosts("192.0.2.1") == ["192.0.2.1"]
