"""Measure this CPU's rsqrtps estimates for x in [1, 4) and print them encoded as minigrad/backend/exact/mkl_sqrt.py
stores them (_ZEN4_RSQRTPS_STEPS), and whether they equal the stored AMD Zen 4 table.

    python scripts/rsqrtps_table.py          # needs gcc and an x86-64 CPU

rsqrtps is piecewise constant over 2^11 consecutive mantissas on Zen 4 (the estimate reads the exponent's
parity and the top 12 mantissa bits); the script checks that before encoding, since a CPU whose estimate
reads more bits cannot be described by such a table."""
import base64
import os
import subprocess
import sys
import tempfile
import zlib

import numpy as np

C_SOURCE = r"""
#include <immintrin.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
int main(void) {            /* rsqrtps of every float in [1, 4), as raw little-endian floats on stdout */
    for (uint32_t bits = 0x3f800000u; bits < 0x40800000u; bits += 4) {
        uint32_t b[4] = {bits, bits + 1, bits + 2, bits + 3};
        float x[4], r[4];
        memcpy(x, b, 16);
        _mm_storeu_ps(r, _mm_rsqrt_ps(_mm_loadu_ps(x)));
        fwrite(r, 4, 4, stdout);
    }
    return 0;
}
"""


def measure():
    with tempfile.TemporaryDirectory() as tmp:
        src, exe = os.path.join(tmp, "rsqrtps.c"), os.path.join(tmp, "rsqrtps")
        with open(src, "w") as f:
            f.write(C_SOURCE)
        subprocess.run(["gcc", "-O1", "-msse", src, "-o", exe], check=True)
        return np.frombuffer(subprocess.run([exe], check=True, capture_output=True).stdout, np.uint32)


def main():
    estimates = measure().reshape(8192, 2048)          # rows: parity and 12 top mantissa bits
    if not (estimates == estimates[:, :1]).all():
        sys.exit("this CPU's rsqrtps reads more than the top 12 mantissa bits: no 8192-entry table describes it")
    if (estimates[:, 0] & 0x7ff).any():
        sys.exit("this CPU's rsqrtps gives more than 12 mantissa bits: the stored encoding cannot hold them")
    codes = (estimates[:, 0] >> 11).astype(np.int64)
    from minigrad.backend.exact import mkl_sqrt as torch_sqrt
    steps = np.diff(codes, prepend=torch_sqrt._ONE_CODE).astype(np.int8)
    print(base64.b64encode(zlib.compress(steps.tobytes(), 9)).decode())
    same = np.array_equal(codes << 11, torch_sqrt._zen4_steps())
    print("equal to minigrad's AMD Zen 4 table" if same else "DIFFERENT from minigrad's AMD Zen 4 table")


if __name__ == "__main__":
    main()
