"""The harness's own address: from [harness] address, or the local end of the route to the
server's SIP address; a wrong one names the key."""

from __future__ import annotations

import pytest

from conformance.target import TargetError, load_target

TARGET = """\
[xmpp]
host = "127.0.0.9"
port = 5222
jid = "harness@localhost"
password = "pw"
tls = "plain"
service = "rayo.localhost"

[sip]
server = "{server}"
inbound_uri = "sip:{{user}}@127.0.0.9:5060"
"""


def target(tmp_path, server: str = "127.0.0.9:5060", harness: str = ""):
    path = tmp_path / "target.toml"
    path.write_text(TARGET.format(server=server) + harness)
    return path


def test_the_target_names_the_address_used_for_sip_rtp_documents_and_xmpp(tmp_path):
    loaded = load_target(target(tmp_path, harness='[harness]\naddress = "127.0.0.5"\n'))
    assert loaded.harness_address() == "127.0.0.5"
    assert loaded.login("r").source == "127.0.0.5"


def test_without_one_it_is_the_local_end_of_the_route_to_the_server(tmp_path):
    assert load_target(target(tmp_path)).harness_address() == "127.0.0.1"  # Linux routes 127.0.0.0/8 from 127.0.0.1


@pytest.mark.parametrize("harness, said", [
    ('[harness]\naddress = "harness.lab"\n', "[harness]: address 'harness.lab' is not an IPv4 address"),
    ('[harness]\naddres = "127.0.0.5"\n', "[harness]: unknown key(s) addres; known: address"),
    ("[harness]\naddress = 5\n", "[harness]: 'address' must be a str"),
])
def test_a_wrong_harness_section_names_the_key(tmp_path, harness, said):
    with pytest.raises(TargetError, match="target.toml") as wrong:
        load_target(target(tmp_path, harness=harness))
    assert said in str(wrong.value)


def test_no_route_to_the_server_asks_for_the_address(tmp_path):
    loaded = load_target(target(tmp_path, server="255.255.255.255:5060"))  # the kernel refuses a route to broadcast
    with pytest.raises(TargetError, match=r"no route to the server's SIP address 255\.255\.255\.255:5060 .*set the harness's own address in \[harness\] address"):
        loaded.harness_address()

