"""Drawing the demo hero images with Pillow only (flat shapes, seeded randomness, no text).

``palette`` names the colours, ``canvas`` holds the supersampled canvas and the final
downscale, ``shapes`` the reusable motifs, ``scenes`` one function per image and ``IMAGES``.
"""

from .canvas import render
from .scenes import IMAGES

__all__ = ["IMAGES", "render"]
