"""Lead images: what an upload must be, and the resized renditions pages offer in srcset.

Renditions are made the first time a page asks for them, once: each is stored through the
image field's storage (the default storage, so S3-compatible storage works the same way) under a
deterministic name, and a cache entry per image and per width remembers that it exists, so a
page view after the first touches neither Pillow nor the storage.

The name carries a short hash of the original's name and size (``renditions/articles/2014/02/
sochi-3f2a9c1b-800w.jpg``): an original of another name or size never reuses an old rendition,
and two workers that make the same rendition at once write the same bytes to the same name.
"""

import hashlib
import io
import logging
import math
import posixpath
from dataclasses import dataclass
from operator import attrgetter

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

# Pillow's format name -> the name editors know. Many camera and phone JPEGs open as "MPO"
# (a JPEG carrying extra pictures, such as a depth map): they are JPEGs to everyone else.
ALLOWED_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF"}

RENDITIONS_DIR = "renditions"
# The rendition in ``src`` (browsers without srcset, feeds, link previews): the widest one not
# wider than this, else the narrowest.
DEFAULT_WIDTH = 800
JPEG_QUALITY = 82
# Names are deterministic, so a cached entry stays true as long as the file is kept; the timeout
# only bounds how long a file deleted by hand is still offered.
CACHE_TIMEOUT = 60 * 60 * 24 * 30
# An original that cannot be read is not retried on every page view.
FAILURE_CACHE_TIMEOUT = 60 * 5
CACHE_PREFIX = "lead-image:v1"

# EXIF orientations that turn the picture a quarter: the displayed width is the stored height.
_QUARTER_TURNS = {5, 6, 7, 8}
# What reading an original can raise (UnidentifiedImageError is an OSError; a missing file too).
_UNREADABLE = (Image.DecompressionBombError, OSError, SyntaxError, ValueError)


# --- validation ------------------------------------------------------------------------------


def validate_image(upload):
    """Refuse anything that is not a real JPEG, PNG, WebP or GIF image of a sensible size.

    The content decides, never the file name: Pillow must recognise and verify the file, so an
    HTML or PHP file renamed ``.jpg`` is refused, and so is an SVG drawing. Then the limits, each
    message naming the numbers: file size (``IMAGE_MAX_UPLOAD_MB``), pixels, which guards
    against decompression bombs (``IMAGE_MAX_PIXELS``), and the displayed width
    (``IMAGE_MIN_WIDTH``, after EXIF orientation).

    A file already in storage was checked when it was uploaded: it is not opened again, so
    saving an article does not re-read its image, and raising a limit later does not block
    edits to older articles.
    """
    if getattr(upload, "_committed", False):
        return
    limit_mb = settings.IMAGE_MAX_UPLOAD_MB
    if upload.size > limit_mb * 1024 * 1024:
        raise ValidationError(
            _(
                "The file is %(size)s MB; a lead image may be at most %(limit)s MB. Save it "
                "smaller or more compressed and upload it again."
            ),
            code="too_large",
            # Rounded up, so that a file just over the limit never reads as "10.0 MB".
            params={
                "size": number_format(math.ceil(upload.size / 1024 / 1024 * 10) / 10, 1),
                "limit": number_format(limit_mb),
            },
        )
    image_format, width, height = _identify(upload)
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            _("%(format)s images are not accepted. Upload a JPEG, PNG, WebP or GIF."),
            code="format",
            params={"format": image_format},
        )
    max_pixels = settings.IMAGE_MAX_PIXELS
    if width * height > max_pixels:
        raise ValidationError(
            _(
                "The image is %(width)s × %(height)s pixels (%(megapixels)s megapixels); a "
                "lead image may have at most %(limit)s megapixels. Scale it down and upload "
                "it again."
            ),
            code="too_many_pixels",
            params={
                "width": width,
                "height": height,
                "megapixels": _megapixels(width * height, rounding=math.ceil),
                "limit": _megapixels(max_pixels),
            },
        )
    minimum = settings.IMAGE_MIN_WIDTH
    if min(width, height) < minimum:
        # Only now, within the pixel limit, ask which way up it is shown (for a PNG that
        # means decoding it).
        width = _displayed_width(upload)
    if width < minimum:
        raise ValidationError(
            _(
                "The image is %(width)s pixels wide; a lead image must be at least "
                "%(minimum)s pixels wide."
            ),
            code="too_small",
            params={"width": width, "minimum": minimum},
        )


class LeadImageFormField(forms.ImageField):
    """An upload field that explains a refusal in ``validate_image``'s words.

    Django's ``ImageField`` answers anything Pillow cannot open with one generic message
    ("…either not an image or a corrupted image"), before any validator runs; this field lets
    ``validate_image`` tell an SVG from a renamed HTML file and name the formats we take. For
    ``formfield_overrides`` or a ``ModelForm``'s ``field_classes``.
    """

    def to_python(self, data):
        upload = forms.FileField.to_python(self, data)
        if upload is not None:
            validate_image(upload)
        return upload


def _identify(upload):
    """Return ``(format, width, height)`` as stored, or raise a ValidationError.

    Only the header is read and the file verified: nothing is decoded yet.
    """
    position = upload.tell() if hasattr(upload, "tell") else None
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except Image.DecompressionBombError as error:
        # Pillow refuses even to open it: far above any limit of ours.
        raise ValidationError(
            _(
                "The image has more pixels than we can process; a lead image may have at "
                "most %(limit)s megapixels. Scale it down and upload it again."
            ),
            code="too_many_pixels",
            params={"limit": _megapixels(settings.IMAGE_MAX_PIXELS)},
        ) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        if _looks_like_svg(upload):
            raise ValidationError(
                _(
                    "SVG drawings are not accepted as lead images. Export the drawing as a "
                    "PNG or JPEG and upload that."
                ),
                code="svg",
            ) from error
        raise ValidationError(
            _("“%(name)s” is not an image we can read. Upload a JPEG, PNG, WebP or GIF file."),
            code="not_an_image",
            params={"name": posixpath.basename(getattr(upload, "name", "") or "")},
        ) from error
    finally:
        if position is not None:
            upload.seek(position)
    return image_format, width, height


def _displayed_width(upload):
    position = upload.tell()
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            return _display_size(image)[0]
    finally:
        upload.seek(position)


def _looks_like_svg(upload):
    """Whether a file Pillow could not read is an SVG drawing, to say so plainly."""
    if getattr(upload, "name", "").lower().endswith((".svg", ".svgz")):
        return True
    upload.seek(0)
    head = upload.read(1024).removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    return head.startswith((b"<svg", b"<?xml", b"<!doctype svg")) and b"<svg" in head


def _megapixels(pixels, rounding=math.floor):
    """Megapixels to one decimal: an image's rounded up and a limit's down, so that an image
    over the limit never reads as equal to it."""
    value = rounding(pixels / 100_000) / 10
    return number_format(int(value) if value == int(value) else value)


def _display_size(image):
    """The size as shown, after the EXIF orientation a camera recorded (which Pillow finds
    in a JPEG's or WebP's header, but only by decoding a PNG)."""
    width, height = image.size
    if image.getexif().get(ExifTags.Base.Orientation) in _QUARTER_TURNS:
        return height, width
    return width, height


# --- renditions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendition:
    name: str
    width: int
    height: int


@dataclass(frozen=True)
class ResponsiveImage:
    """What an ``<img>`` needs: the default rendition, the srcset, and its dimensions."""

    src: str
    srcset: str
    width: int
    height: int


def renditions(image_field):
    """``[(url, width), …]`` for ``settings.IMAGE_RENDITION_WIDTHS``, narrowest first.

    Never upscaled: widths larger than the original are left out and the original's own width
    is offered instead. Missing renditions are made now; an empty list when there is no image
    or it cannot be read.
    """
    made = _renditions(image_field)
    return [(image_field.storage.url(rendition.name), rendition.width) for rendition in made]


def rendition_url(image_field, width):
    """The URL of ``image_field`` resized to ``width`` pixels (at most the original's width),
    made now if missing; ``""`` when there is no image or it cannot be read."""
    if not image_field:
        return ""
    original = _original(image_field)
    if original is None:
        return ""
    made = _ensure(image_field, original, [max(1, min(int(width), original["width"]))])
    return image_field.storage.url(made[0].name) if made else ""


def responsive_image(image_field):
    """The ``<img>`` attributes for a lead image, or ``None`` when there is nothing to show."""
    made = _renditions(image_field)
    if not made:
        return None
    default = max(
        (r for r in made if r.width <= DEFAULT_WIDTH), key=attrgetter("width"), default=made[0]
    )
    url = image_field.storage.url
    return ResponsiveImage(
        src=url(default.name),
        srcset=", ".join(f"{url(r.name)} {r.width}w" for r in made),
        width=default.width,
        height=default.height,
    )


def rendition_widths(original_width):
    """The configured widths this original can fill without upscaling, plus its own width
    when a configured one was too wide for it."""
    configured = sorted(set(settings.IMAGE_RENDITION_WIDTHS))
    widths = [width for width in configured if width <= original_width]
    if len(widths) < len(configured) and original_width not in widths:
        widths.append(original_width)
    return widths


def rendition_name(original_name, digest, width, extension):
    stem = posixpath.splitext(original_name)[0]
    return f"{RENDITIONS_DIR}/{stem}-{digest}-{width}w.{extension}"


def _renditions(image_field):
    if not image_field:
        return []
    original = _original(image_field)
    if original is None:
        return []
    return _ensure(image_field, original, rendition_widths(original["width"]))


def _cache_key(name, suffix):
    return f"{CACHE_PREFIX}:{hashlib.sha256(name.encode()).hexdigest()[:32]}:{suffix}"


def _original(image_field):
    """The original's displayed size, output format and hash, read with Pillow once and then
    cached; ``None`` (also cached, briefly) when it cannot be read."""
    key = _cache_key(image_field.name, "original")
    original = cache.get(key)
    if original is None:
        try:
            original = _read_original(image_field)
        except _UNREADABLE:
            logger.warning("Lead image %s cannot be read", image_field.name, exc_info=True)
            original = {"unreadable": True}
            cache.set(key, original, FAILURE_CACHE_TIMEOUT)
        else:
            cache.set(key, original, CACHE_TIMEOUT)
    return None if original.get("unreadable") else original


def _read_original(image_field):
    storage, name = image_field.storage, image_field.name
    with storage.open(name, "rb") as file, Image.open(file) as image:
        width, height = _display_size(image)
        # Decided from the header, without decoding: anything that can be transparent stays
        # PNG so that a transparent logo or map does not get a black background.
        extension = "png" if image.has_transparency_data else "jpg"
    size = storage.size(name)
    digest = hashlib.sha256(f"{name}:{size}".encode()).hexdigest()[:8]
    return {"width": width, "height": height, "extension": extension, "digest": digest}


def _ensure(image_field, original, widths):
    """The renditions of ``image_field`` at ``widths``, making the missing ones.

    The cache answers first; on a miss the storage is asked whether the file exists; only the
    renditions still missing are made, from one decoding of the original.
    """
    name = image_field.name
    # The original's hash in the key: once its own entry is refreshed after a replacement
    # under the same name, the old renditions are no longer offered.
    keys = {width: _cache_key(name, f"{original['digest']}-{width}") for width in widths}
    cached = cache.get_many(keys.values())
    known, found, missing = {}, {}, []
    for width in widths:
        if keys[width] in cached:
            known[width] = cached[keys[width]]
            continue
        rendition = Rendition(
            name=rendition_name(name, original["digest"], width, original["extension"]),
            width=width,
            height=_scaled_height(original, width),
        )
        if image_field.storage.exists(rendition.name):
            found[width] = rendition
        else:
            missing.append(rendition)
    if missing:
        try:
            _make(image_field, original, missing)
        except _UNREADABLE:
            logger.exception("Renditions of lead image %s could not be made", name)
        else:
            found.update((rendition.width, rendition) for rendition in missing)
    if found:
        cache.set_many(
            {keys[width]: _as_cached(rendition) for width, rendition in found.items()},
            CACHE_TIMEOUT,
        )
        known.update((width, _as_cached(rendition)) for width, rendition in found.items())
    return [Rendition(**known[width]) for width in widths if width in known]


def _as_cached(rendition):
    return {"name": rendition.name, "width": rendition.width, "height": rendition.height}


def _scaled_height(original, width):
    return max(1, round(original["height"] * width / original["width"]))


def _make(image_field, original, renditions_to_make):
    storage = image_field.storage
    with storage.open(image_field.name, "rb") as file, Image.open(file) as source:
        as_png = original["extension"] == "png"
        # Keep the colour profile only where the pixels keep its colour space.
        icc_profile = source.info.get("icc_profile") if source.mode in ("RGB", "RGBA") else None
        picture = ImageOps.exif_transpose(source).convert("RGBA" if as_png else "RGB")
    for rendition in renditions_to_make:
        size = (rendition.width, rendition.height)
        resized = (
            picture if size == picture.size else picture.resize(size, Image.Resampling.LANCZOS)
        )
        buffer = io.BytesIO()
        if as_png:
            resized.save(buffer, "PNG", optimize=True, icc_profile=icc_profile)
        else:
            resized.save(
                buffer,
                "JPEG",
                quality=JPEG_QUALITY,
                progressive=True,
                optimize=True,
                icc_profile=icc_profile,
            )
        _store(storage, rendition.name, buffer.getvalue())


def _store(storage, name, data):
    """Save ``data`` as ``name``, which the caller found missing.

    Two workers may both find the rendition missing and both make it: the bytes are the same.
    A storage that overwrites (S3) keeps one file; one that does not (the file system) saves
    the second copy under another name, which is deleted again.
    """
    saved = storage.save(name, ContentFile(data))
    if saved != name:
        storage.delete(saved)
