"""[MS-OVBA] compression and the dir stream, against the spec's example and xlwings' template."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evr_xl.excel.addin import cfb, ovba
from evr_xl.excel.addin.vbaproject import read_modules

# [MS-OVBA] 3.2.1 "No Compression Example" (a chunk of literals only).
SPEC_PLAIN = b"abcdefghijklmnopqrstuv."
SPEC_PLAIN_COMPRESSED = bytes.fromhex(
    "01 19 B0 00 61 62 63 64 65 66 67 68 00 69 6A 6B 6C 6D 6E 6F 70 00 71 72 73 74 75 76 2E"
)


def test_spec_example_compresses_and_decompresses() -> None:
    assert ovba.compress(SPEC_PLAIN) == SPEC_PLAIN_COMPRESSED
    assert ovba.decompress(SPEC_PLAIN_COMPRESSED) == SPEC_PLAIN


def test_template_streams_round_trip(template_vba: bytes) -> None:
    """decompress -> compress -> decompress is the identity on every stream xlwings ships."""
    streams = cfb.read_streams(template_vba)
    modules = read_modules(template_vba)
    assert set(modules) == {"ThisWorkbook", "Dictionary", "RibbonMyAddin", "Sheet2", "xlwings"}
    compressed = [streams[("VBA", "dir")]]
    compressed += [streams[("VBA", m)][len(mod.prefix) :] for m, mod in modules.items()]
    for data in compressed:
        plain = ovba.decompress(data)
        assert len(plain) > 100
        assert ovba.decompress(ovba.compress(plain)) == plain


def test_our_compression_is_read_by_oletools(template_vba: bytes) -> None:
    """An independent decompressor (oletools) reads what ours writes."""
    olevba = pytest.importorskip("oletools.olevba")
    for module in read_modules(template_vba).values():
        plain = module.source.encode("cp1252")
        assert bytes(olevba.decompress_stream(bytearray(ovba.compress(plain)))) == plain


def test_template_prefixes_as_documented(template_vba: bytes) -> None:
    """EXCEL_FACTS: RibbonMyAddin has a 978-byte prefix, xlwings none."""
    modules = read_modules(template_vba)
    assert len(modules["RibbonMyAddin"].prefix) == 978
    assert modules["xlwings"].prefix == b""


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \r\nSub EndIf()'\"=")), max_size=9000))
def test_round_trip_property(text: str) -> None:
    data = text.encode("cp1252")
    assert ovba.decompress(ovba.compress(data)) == data


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, 4097, 8192, 12289])
def test_chunk_boundaries(size: int) -> None:
    data = bytes((i * 7 + i // 13) % 251 for i in range(size))
    assert ovba.decompress(ovba.compress(data)) == data


def test_incompressible_full_chunk_is_raw_and_short_one_refused() -> None:
    import random

    rnd = random.Random(9)
    full = bytes(rnd.randrange(256) for _ in range(4096))
    assert ovba.decompress(ovba.compress(full)) == full
    with pytest.raises(ovba.OvbaError, match="incompressible"):
        ovba.compress(full[:4000])


def test_dir_stream_parses_and_writes_back_byte_for_byte(template_vba: bytes) -> None:
    plain = ovba.decompress(cfb.read_streams(template_vba)[("VBA", "dir")])
    records = ovba.parse_dir(plain)
    assert ovba.write_dir(records) == plain
    head, modules = ovba.split_modules(records)
    assert ovba.write_dir(ovba.join_modules(head, modules)) == plain
    version = next(d for r, d in records if r == ovba.PROJECTVERSION)
    assert len(version) == 6  # declared 4, carries 6


def test_bad_signature_is_refused() -> None:
    with pytest.raises(ovba.OvbaError, match="signature"):
        ovba.decompress(b"\x02\x00")
