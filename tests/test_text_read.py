"""Reading: UTF-8 with/without BOM, CRLF kept, one-line errors; invisible characters."""

import pytest

from mtfix.errors import MtfixError
from mtfix.text.read import find_invisibles, read_file, read_lines, read_text, strip_invisibles

ARABIC = "مرحبا بالعالم.\n"


def _write(tmp_path, data: bytes, name="in.txt"):
    p = tmp_path / name
    p.write_bytes(data)
    return p


def test_bom_removed_and_reported(tmp_path):
    p = _write(tmp_path, b"\xef\xbb\xbf" + ARABIC.encode())
    assert read_text(p) == ARABIC
    f = read_file(p)
    assert f.bom and f.newline == "\n"
    assert not read_file(_write(tmp_path, ARABIC.encode(), "b.txt")).bom


def test_crlf_kept_verbatim(tmp_path):
    p = _write(tmp_path, "سطر أول.\r\n\r\nسطر ثان.\r\n".encode())
    assert read_text(p) == "سطر أول.\r\n\r\nسطر ثان.\r\n"
    assert read_file(p).newline == "\r\n"
    assert read_lines(p) == ["سطر أول.", "", "سطر ثان."]
    assert read_file(_write(tmp_path, b"a\r\nb\nc", "m.txt")).newline == "mixed"
    assert read_file(_write(tmp_path, b"abc", "n.txt")).newline is None


@pytest.mark.parametrize(
    "data, needle",
    [
        ("مرحبا".encode("cp1256"), "not UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("hello".encode("utf-16"), "UTF-16"),
    ],
)
def test_bad_bytes_are_one_line_errors(tmp_path, data, needle):
    with pytest.raises(MtfixError) as e:
        read_text(_write(tmp_path, data))
    msg = str(e.value)
    assert needle in msg and "\n" not in msg and "in.txt" in msg


def test_missing_and_folder(tmp_path):
    with pytest.raises(MtfixError, match="no such file"):
        read_text(tmp_path / "nope.txt")
    with pytest.raises(MtfixError, match="folder"):
        read_text(tmp_path)


def test_read_lines_empty(tmp_path):
    p = _write(tmp_path, b"\n  \n")
    with pytest.raises(MtfixError, match="empty"):
        read_lines(p)
    assert read_lines(p, allow_empty=True) == ["", "  "]


def test_find_invisibles_names_and_positions():
    text = "abc\nقال\u200f 5\u200b\u200bx\r\n\u202bنص\u202c"
    found = find_invisibles(text)
    assert [(i.codepoint, i.kind, i.line, i.column) for i in found] == [
        ("U+200F", "bidi", 2, 4),
        ("U+200B", "zero-width", 2, 7),
        ("U+200B", "zero-width", 2, 8),
        ("U+202B", "bidi", 3, 1),
        ("U+202C", "bidi", 3, 4),
    ]
    assert found[0].name == "RIGHT-TO-LEFT MARK"
    assert all(text[i.start] == i.char for i in found)
    assert find_invisibles(ARABIC) == []


def test_strip_invisibles_by_kind(tmp_path):
    text = "a\u200fb\u200cc"
    assert strip_invisibles(text) == "abc"
    assert strip_invisibles(text, kinds=["bidi"]) == "ab\u200cc"
    with pytest.raises(ValueError):
        strip_invisibles(text, kinds=["nope"])
    p = _write(tmp_path, text.encode())
    assert read_text(p) == text
    assert read_text(p, strip_invisibles=True) == "abc"
    f = read_file(p, strip_invisibles=True)
    assert f.text == "abc" and len(f.invisibles) == 2


def test_text_chunks_are_whole_lines_with_the_line_by_line_errors(tmp_path):
    from mtfix.text.read import iter_text_chunks, iter_text_lines

    path = tmp_path / "t.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "سطر\r\nline two\rthree\n".encode() * 500)
    chunks = list(iter_text_chunks(path, 64))
    assert "".join(chunks) == read_text(path) and len(chunks) > 10
    assert all(c.endswith("\n") for c in chunks)
    bad = tmp_path / "b.txt"
    bad.write_bytes("سطر أول\n".encode() + b"ok \xff here\n" + b"nul \x00\n")
    for reader in (iter_text_chunks, iter_text_lines):
        with pytest.raises(MtfixError) as e:
            list(reader(bad))
        assert "offset 17" in str(e.value)


def test_a_byte_that_is_not_utf8_is_named_by_its_line_whichever_way_the_file_is_read(tmp_path):
    """Not only a byte offset: FILE:LINE and the byte in the line, as the corpus readers name a bad row."""
    import io

    from mtfix.text.read import iter_stream_chunks, iter_text_chunks, iter_text_lines

    data = ARABIC.encode() * 2999 + "قال ".encode() + b"caf\xe9\n" + ARABIC.encode()
    p = _write(tmp_path, data)
    offset = data.index(b"\xe9")
    want = f"{p}:3000: not UTF-8 (invalid byte 0xe9 at byte 11 of the line, offset {offset} of the file)"
    readers = [lambda: read_text(p), lambda: list(iter_text_lines(p)), lambda: list(iter_text_chunks(p, 100)),
               lambda: list(iter_stream_chunks(io.BytesIO(data), str(p)))]
    for read in readers:
        with pytest.raises(MtfixError) as e:
            read()
        assert str(e.value).startswith(want), str(e.value)


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"


@pytest.mark.parametrize("data, what", [
    (PNG, "a PNG image"),  # its first line, b"\x89PNG\r\n", has no NUL: it used to be "line 1: not UTF-8"
    (b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(range(1, 200)), "a JPEG image"),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n" + b"x" * 300 + b"\n\xff\x00stream", "a PDF document"),
    (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xcb\x48\xcd\xc9\xc9\x07\x00", "gzip-compressed"),
    (b"\x1f\x8b\x08\x08\xc3\xa1\n", "gzip-compressed"),
    (b"PK\x03\x04\x14\x00\x06\x00", "a ZIP archive (or .docx, .xlsx)"),
    (b"abc\x00def", "contains NUL bytes"),
])
def test_a_binary_file_is_named_binary_whichever_way_it_is_read(tmp_path, data, what):
    import io

    from mtfix.text.read import iter_stream_chunks, iter_text_chunks, iter_text_lines

    p = _write(tmp_path, data)
    want = f"{p}: looks binary ({what}); expected UTF-8 text"
    for read in (lambda: read_text(p), lambda: list(iter_text_lines(p)), lambda: list(iter_text_chunks(p, 8)),
                 lambda: list(iter_text_chunks(p)), lambda: list(iter_stream_chunks(io.BytesIO(data), str(p), 8))):
        with pytest.raises(MtfixError) as e:
            read()
        assert str(e.value) == want


def test_text_with_a_bad_byte_is_still_named_by_its_line(tmp_path):
    """Only a known binary format's first bytes, or a NUL, make it "binary": a stray byte is not UTF-8, on its line
    (a file that starts like a PDF name but is text is text)."""
    p = _write(tmp_path, "سطر\n".encode() + b"%PDF is not at the start \xe9\n")
    with pytest.raises(MtfixError, match=r"in.txt:2: not UTF-8 \(invalid byte 0xe9"):
        read_text(p)
