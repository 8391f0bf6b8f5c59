"""Colour arithmetic for readable figures: contrast, colour-vision deficiency, distance.

* :func:`contrast_ratio` and :func:`text_colour_on`: the WCAG 2 contrast ratio of two
  colours, and whether black or white text reads better on a background (the page writes
  heatmap numbers in whichever gives the higher ratio, which is always at least 4.58:1).
* :func:`simulate_cvd`: how a colour looks under protanopia, deuteranopia or tritanopia,
  with the severity-1.0 matrices of Machado, Oliveira & Fernandes (2009), "A physiologically-
  based model for simulation of color vision deficiency", IEEE TVCG 15(6):1291-1298,
  applied in linear RGB.
* :func:`delta_e`: the CIEDE2000 colour difference (Sharma, Wu & Dalal 2005, "The CIEDE2000
  color-difference formula: implementation notes, supplementary test data, and
  mathematical observations", Color Res. Appl. 30(1):21-30) between two sRGB colours.

Plain numpy, no matplotlib, so the tests and the figures share one implementation.
"""

from __future__ import annotations

import numpy as np

#: Machado et al. (2009), Table 1, severity 1.0 (linear RGB in, linear RGB out).
CVD_MATRICES: dict[str, np.ndarray] = {
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
    "tritanopia": np.array(
        [
            [1.255528, -0.076749, -0.178779],
            [-0.078411, 0.930809, 0.147602],
            [0.004733, 0.691367, 0.303900],
        ]
    ),
}

_SRGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
_D65 = np.array([0.95047, 1.0, 1.08883])


def rgb(colour) -> np.ndarray:
    """sRGB in 0..1 from '#rrggbb', a name matplotlib knows, or an RGB(A) sequence."""
    if isinstance(colour, str) and colour.startswith("#") and len(colour) == 7:
        return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255.0
    if isinstance(colour, str):
        from matplotlib.colors import to_rgb  # names only: keeps the module light

        return np.array(to_rgb(colour))
    return np.asarray(colour, dtype=float)[:3]


def linear(srgb: np.ndarray) -> np.ndarray:
    """sRGB (0..1) to linear light."""
    c = np.asarray(srgb, dtype=float)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def gamma(lin: np.ndarray) -> np.ndarray:
    """Linear light to sRGB (0..1)."""
    c = np.clip(np.asarray(lin, dtype=float), 0.0, 1.0)
    return np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055)


def luminance(colour) -> float:
    """WCAG 2 relative luminance."""
    return float(np.dot([0.2126, 0.7152, 0.0722], linear(rgb(colour))))


def contrast_ratio(a, b) -> float:
    """WCAG 2 contrast ratio of two colours, from 1 (same) to 21 (black on white)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_colour_on(background) -> str:
    """'black' or 'white', whichever has the higher contrast on ``background``."""
    lum = luminance(background)
    return "black" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "white"


def simulate_cvd(colour, kind: str) -> np.ndarray:
    """sRGB (0..1) of ``colour`` as seen with ``kind`` ('protanopia', 'deuteranopia',
    'tritanopia'), Machado et al. (2009) at full severity."""
    return gamma(CVD_MATRICES[kind] @ linear(rgb(colour)))


def lab(colour) -> np.ndarray:
    """CIE L*a*b* (D65) of an sRGB colour."""
    t = (_SRGB_TO_XYZ @ linear(rgb(colour))) / _D65
    e = (6 / 29) ** 3
    f = np.where(t > e, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e_lab(lab1, lab2) -> float:
    """CIEDE2000 difference of two L*a*b* colours (Sharma et al. 2005, equations 2-22)."""
    L1, a1, b1 = (float(x) for x in lab1)
    L2, a2, b2 = (float(x) for x in lab2)
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar**7 / (c_bar**7 + 25.0**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    d_l, d_c = L2 - L1, c2p - c1p
    if c1p * c2p == 0:
        dh = 0.0
    else:
        dh = h2p - h1p
        dh = dh - 360 if dh > 180 else dh + 360 if dh < -180 else dh
    d_h = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    l_bar, c_bar_p = (L1 + L2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_bar = (h1p + h2p) / 2
    else:
        h_bar = (h1p + h2p + (360 if h1p + h2p < 360 else -360)) / 2
    t = (
        1
        - 0.17 * np.cos(np.radians(h_bar - 30))
        + 0.24 * np.cos(np.radians(2 * h_bar))
        + 0.32 * np.cos(np.radians(3 * h_bar + 6))
        - 0.20 * np.cos(np.radians(4 * h_bar - 63))
    )
    d_theta = 30 * np.exp(-(((h_bar - 275) / 25) ** 2))
    r_c = 2 * np.sqrt(c_bar_p**7 / (c_bar_p**7 + 25.0**7))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / np.sqrt(20 + (l_bar - 50) ** 2)
    s_c = 1 + 0.045 * c_bar_p
    s_h = 1 + 0.015 * c_bar_p * t
    r_t = -np.sin(np.radians(2 * d_theta)) * r_c
    return float(
        np.sqrt(
            (d_l / s_l) ** 2 + (d_c / s_c) ** 2 + (d_h / s_h) ** 2 + r_t * (d_c / s_c) * (d_h / s_h)
        )
    )


def delta_e(a, b, vision: str | None = None) -> float:
    """CIEDE2000 difference of two sRGB colours, as seen normally or with ``vision``."""
    if vision is not None:
        a, b = simulate_cvd(a, vision), simulate_cvd(b, vision)
    return delta_e_lab(lab(a), lab(b))
