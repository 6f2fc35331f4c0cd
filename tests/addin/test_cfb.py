"""The compound-file writer: olefile (an independent reader) and our reader see the same streams."""

from __future__ import annotations

import struct

import pytest

from evr_xl.excel.addin import cfb

olefile = pytest.importorskip("olefile")


def _sample() -> dict[cfb.Path, bytes]:
    return {
        ("PROJECT",): b"ID=x\r\n" * 10,
        ("PROJECTwm",): b"\x00\x00",
        ("VBA", "dir"): bytes(range(256)) * 3,
        ("VBA", "small"): b"s" * 4095,  # the largest mini stream
        ("VBA", "large"): b"L" * 4096,  # the smallest regular stream
        ("VBA", "big"): bytes(i % 253 for i in range(70_000)),
        ("VBA", "empty"): b"",
        ("VBA", "Sub", "deep"): b"deep",
    }


def test_olefile_reads_what_we_write() -> None:
    streams = _sample()
    data = cfb.write_streams(streams)
    assert len(data) % cfb.SECTOR == 0
    with olefile.OleFileIO(data) as ole:
        found = {tuple(p): ole.openstream(p).read() for p in ole.listdir()}
    assert found == streams


def test_our_reader_reads_template_like_olefile(template_vba: bytes) -> None:
    with olefile.OleFileIO(template_vba) as ole:
        expected = {tuple(p): ole.openstream(p).read() for p in ole.listdir()}
    assert cfb.read_streams(template_vba) == expected


def test_rewriting_the_template_keeps_every_stream(template_vba: bytes) -> None:
    streams = cfb.read_streams(template_vba)
    assert cfb.read_streams(cfb.write_streams(streams)) == streams


def test_output_is_deterministic() -> None:
    assert cfb.write_streams(_sample()) == cfb.write_streams(dict(reversed(_sample().items())))


def _entries(data: bytes) -> list[tuple[str, int, int, int, int, int]]:
    with olefile.OleFileIO(data) as ole:
        raw = ole._open(ole.first_dir_sector, force_FAT=True).read()
    out = []
    for i in range(0, len(raw), 128):
        e = raw[i : i + 128]
        n = struct.unpack_from("<H", e, 64)[0]
        left, right, child = struct.unpack_from("<III", e, 68)
        out.append((e[: max(n - 2, 0)].decode("utf-16-le"), e[66], e[67], left, right, child))
    return out


def test_directory_trees_are_sorted_red_black_trees() -> None:
    entries = _entries(cfb.write_streams(_sample()))
    key = lambda i: (len(entries[i][0]), entries[i][0].upper())  # noqa: E731

    def check(node: int, lo: tuple | None, hi: tuple | None, parent_red: bool) -> int:
        """Black height of the subtree; asserts order and the red-black rules."""
        if node == cfb.NOSTREAM:
            return 1
        _, _, color, left, right, _ = entries[node]
        assert lo is None or key(node) > lo
        assert hi is None or key(node) < hi
        red = color == 0
        assert not (red and parent_red), "red node with a red parent"
        lh = check(left, lo, key(node), red)
        rh = check(right, key(node), hi, red)
        assert lh == rh, "unequal black heights"
        return lh + (0 if red else 1)

    storages = [i for i, e in enumerate(entries) if e[1] in (1, 5)]
    assert len(storages) == 3  # root, VBA, VBA/Sub
    for s in storages:
        root = entries[s][5]
        assert entries[root][2] == 1, "tree root must be black"
        check(root, None, None, False)


def test_names_are_validated() -> None:
    with pytest.raises(cfb.CfbError, match="invalid entry name"):
        cfb.write_streams({("a/b",): b""})
    with pytest.raises(cfb.CfbError, match="invalid entry name"):
        cfb.write_streams({("x" * 32,): b""})
