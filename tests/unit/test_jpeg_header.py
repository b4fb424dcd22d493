"""The cheap JPEG header read gives exactly what PIL's header parse gives."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from augwidgets.image.decode import jpeg_header


@pytest.mark.parametrize("mode", ["RGB", "L", "CMYK"])
@pytest.mark.parametrize("options", [{}, {"progressive": True}, {"optimize": True},
                                     {"subsampling": 0, "quality": 95}, {"exif": b"Exif\x00\x00"}])
@pytest.mark.parametrize("size", [(1, 1), (37, 5), (640, 480)])
def test_header_equals_pil(mode, options, size):
    rng = np.random.RandomState(sum(size))
    array = rng.randint(0, 255, (size[1], size[0], 3), dtype=np.uint8)
    image = Image.fromarray(array).convert(mode)
    buffer = io.BytesIO()
    if mode == "CMYK":
        options = {k: v for k, v in options.items() if k != "subsampling"}
    image.save(buffer, "JPEG", **options)
    data = buffer.getvalue()
    opened = Image.open(io.BytesIO(data))
    header = jpeg_header(data)
    assert header is not None
    assert (header.width, header.height, header.mode) == (*opened.size, opened.mode)


def test_garbage_gives_none_not_an_error():
    assert jpeg_header(b"\xff\xd8\xff") is None
    assert jpeg_header(b"\xff\xd8" + b"\x00" * 50) is None
    assert jpeg_header(b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\xff\xda\x00\x02") is None
