"""The harness's own address: from [harness] address, or the local end of the route to the
server's SIP address; a wrong one names the key, and no route stops the run before anything runs."""

from __future__ import annotations

import shutil

import pytest

from conformance.resources import scenarios_dir
from conformance.target import TargetError, load_target

pytest_plugins = ["pytester"]

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
    ('[harness]\naddress = "harness.lab"\n', "target.toml:13: [harness] address: 'harness.lab' is not an IPv4 address"),
    ('[harness]\naddres = "127.0.0.5"\n', "target.toml:13: [harness] addres: unknown key; did you mean 'address'?"),
    ("[harness]\naddress = 5\n", "target.toml:13: [harness] address: must be a string, not 5"),
])
def test_a_wrong_harness_section_names_the_key(tmp_path, harness, said):
    with pytest.raises(TargetError, match="target.toml") as wrong:
        load_target(target(tmp_path, harness=harness))
    assert said in str(wrong.value)


def test_no_route_to_the_server_asks_for_the_address(tmp_path):
    loaded = load_target(target(tmp_path, server="255.255.255.255:5060"))  # the kernel refuses a route to broadcast
    with pytest.raises(TargetError, match=r"no route to the server's SIP address 255\.255\.255\.255:5060 .*set the harness's own address in \[harness\] address"):
        loaded.harness_address()



def test_a_run_without_a_route_to_the_server_stops_before_anything_runs(pytester, tmp_path):
    scenarios = pytester.mkdir("scenarios")
    shutil.copy(scenarios_dir() / "xep0327" / "errors" / "command-to-unknown-call.yaml", scenarios)
    result = pytester.runpytest_subprocess("scenarios", "-p", "no:cacheprovider",
                                           "--rayo-target", str(target(tmp_path, server="255.255.255.255:5060")))
    assert result.ret == 4
    result.stderr.fnmatch_lines(["ERROR: no route to the server's SIP address 255.255.255.255:5060 *"])
    assert "set the harness's own address in [harness] address" in result.stderr.str()
    assert "passed" not in result.stdout.str() and "Traceback" not in result.stdout.str() + result.stderr.str()
